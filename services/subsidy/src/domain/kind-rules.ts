import { regionCovers } from '@trec/contracts'
import type { ClaimBasis } from './basis.ts'
import type { ClaimFacts } from './claim-facts.ts'
import { chinaDay } from './dates.ts'
import type { Checked } from './evidence-rules.ts'
import { type Evidence, factsOf, lastFact } from './facts.ts'
import type { KindRule } from './rule-set.ts'

// The evidence particular to some kinds (docs/domain.md §3): the project the government bought
// (项目制培训), the two training bases and the paying region of 企业新型学徒制, and the months of
// employment 以工代训 is paid for. Each check that finds its evidence adds the event's id; each
// that does not names what is missing, with a stable rule id.

type Fail = (id: string, message: string, details?: Record<string, unknown>) => void

/**
 * 项目制培训: the class runs a programme the authority published for this kind: the catalogue
 * entry is the project it bought, and its amount the price per person.
 */
export function checkProgrammeOfKind(claim: ClaimFacts, rule: KindRule, basis: ClaimBasis, fail: Fail): void {
  if (!rule.programmeOfKind) return
  const programme = basis.programme
  if (programme?.subsidyKind !== claim.kind)
    fail(
      'programme-kind',
      `the class does not run a programme the authority published for ${claim.kind} (the project it bought)`,
      {
        class: claim.class ?? null,
        programme: basis.classApplied?.data.programme ?? null,
        programmeKind: programme?.subsidyKind ?? null,
      },
    )
}

const schoolKinds = new Set([
  'vocational_college',
  'technical_school',
  'public_training_base',
  'private_provider',
])

/**
 * 企业新型学徒制: the enterprise and a school are the two training bases, so the class names its
 * other base, and the record shows that base designated as a college, technical school or
 * training institution on the day of the claim.
 */
export function checkJointBase(
  claim: ClaimFacts,
  rule: KindRule,
  basis: ClaimBasis,
  evidence: Evidence,
  fail: Fail,
): void {
  if (!rule.jointBase) return
  const base = basis.classApplied?.data.jointBase
  const designated =
    base === undefined
      ? undefined
      : lastFact(
          evidence,
          'InstitutionDesignated',
          (d) =>
            d.institution === base &&
            d.effectiveFrom <= claim.claimedOn &&
            d.kinds.some((k) => schoolKinds.has(k)),
        )
  // The designation is the institution's, not the worker's: it is read, not cited (like the
  // class's own application), so the payment's evidence stays the worker's record.
  if (designated) return
  fail(
    'joint-base',
    base === undefined
      ? 'the class names no school as its other training base (企业新型学徒制 trains in the enterprise and a school)'
      : 'the class’s other training base is not on the record as a designated college, school or training institution',
    { class: claim.class ?? null, jointBase: base ?? null },
  )
}

/**
 * D1 「由企业所在地政府按规定拨付培训补贴」: the subsidy is paid by the region where the enterprise is
 * registered, so the claim's region must cover the enterprise's registration on the record.
 */
export function checkEnterpriseRegion(
  claim: ClaimFacts,
  rule: KindRule,
  evidence: Evidence,
  fail: Fail,
): void {
  if (!rule.enterpriseRegion || claim.payee.kind === 'worker') return
  const payee = claim.payee.id
  const registered = lastFact(evidence, 'InstitutionDesignated', (d) => d.institution === payee)
  if (registered && regionCovers(claim.region, registered.data.region)) return
  fail(
    'enterprise-region',
    registered
      ? 'the enterprise is registered outside the region the claim is made to: the region where it is registered pays'
      : 'the record does not show where the enterprise is registered, so the paying region cannot be told',
    { enterprise: payee, registeredIn: registered?.data.region ?? null, claimRegion: claim.region },
  )
}

/**
 * 以工代训 (D3): the months the employer's employment records (就业登记, 参保, of the sources the
 * rule accepts) show the worker employed by the payee, from the month the training began to the
 * month of the claim. One record per month is cited; a month counts once however many records
 * it has. None is a violation naming the records needed.
 */
export function employmentMonths(
  claim: ClaimFacts,
  rule: KindRule,
  basis: ClaimBasis,
  evidence: Evidence,
  fail: Fail,
  out: Checked,
): number {
  const need = rule.employment
  if (!need || claim.payee.kind === 'worker') return 0
  const employer = claim.payee.id
  const from = (basis.classApplied?.data.plannedStart ?? claim.claimedOn).slice(0, 7)
  const to = claim.claimedOn.slice(0, 7)
  const byMonth = new Map<string, string>()
  for (const f of factsOf(evidence, 'EmploymentOutcomeObserved')) {
    const d = f.data
    const month = chinaDay(new Date(d.observedAt)).slice(0, 7)
    if (
      d.worker === claim.worker &&
      d.employer === employer &&
      d.outcome === 'employed' &&
      need.sources.includes(d.source) &&
      month >= from &&
      month <= to &&
      !byMonth.has(month)
    )
      byMonth.set(month, f.id)
  }
  if (byMonth.size === 0) {
    fail(
      'employment-months',
      'the record shows no month in which the employer employed the worker since the training began (就业登记 or 参保)',
      { employer, sources: need.sources, from, to },
    )
    return 0
  }
  const months = [...byMonth.keys()]
    .sort()
    .slice(0, rule.amount.basis === 'monthly' ? rule.amount.maxMonths : undefined)
  for (const m of months) out.evidence.push(byMonth.get(m)!)
  return months.length
}
