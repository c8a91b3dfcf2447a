import { groupAttestations, groupShownOn } from '@trec/contracts'
import type { ClaimBasis } from './basis.ts'
import type { ClaimFacts } from './claim-facts.ts'
import { addMonths } from './dates.ts'
import type { Checked } from './evidence-rules.ts'
import { type Evidence, factsOf } from './facts.ts'
import type { KindRule, RuleSet } from './rule-set.ts'

type Fail = (id: string, message: string, details?: Record<string, unknown>) => void

/**
 * D2: 技能提升补贴 goes to 「累计缴纳失业保险费12个月以上的企业职工」. The months are those the
 * social-insurance system last attested (`ContributionHistoryAttested`), never the claim's word.
 */
export function checkContribution(rule: KindRule, evidence: Evidence, fail: Fail, out: Checked): void {
  const need = rule.contribution
  if (!need) return
  const attested = factsOf(evidence, 'ContributionHistoryAttested').reduce<
    ReturnType<typeof factsOf<'ContributionHistoryAttested'>>[number] | undefined
  >((latest, f) => (latest === undefined || f.data.asOf >= latest.data.asOf ? f : latest), undefined)
  if (!attested) {
    fail('contribution-months', 'no contribution history from the social-insurance system is on the record', {
      minimum: need.minMonths,
    })
    return
  }
  const short = attested.data.months < need.minMonths
  const notEmployee = need.enterpriseEmployee && !attested.data.enterpriseEmployee
  if (short || notEmployee)
    fail('contribution-months', 'the worker is not an enterprise employee with enough contribution months', {
      months: attested.data.months,
      minimum: need.minMonths,
      enterpriseEmployee: attested.data.enterpriseEmployee,
      asOf: attested.data.asOf,
    })
  else out.evidence.push(attested.id)
}

/**
 * Target groups (D3 「符合条件的参训人员」; the groups of docs/domain.md §1.5): when the kind names
 * them, the worker must be shown to belong to one on the day of the claim by a department's
 * attestation (`WorkerGroupAttested`, from an accepted system when the set names them), by the
 * one reading of membership (`groupShownOn`, @trec/contracts) that compliance runs again. The
 * refusal names the groups, the evidence each needs, and what the record holds instead.
 */
export function checkGroups(
  claim: ClaimFacts,
  rule: KindRule,
  evidence: Evidence,
  fail: Fail,
  out: Checked,
): void {
  const groups = rule.groups
  if (!groups) return
  const day = claim.claimedOn
  const attested = groupAttestations(evidence.facts, claim.worker)
  const shows = groupShownOn(attested, groups.accepted, day)
  if (shows) {
    out.evidence.push(shows.id)
    return
  }
  fail(
    'target-group',
    `the record does not show the worker in a group the ${claim.kind} subsidy is for: one of ${groups.accepted
      .map((a) => `${a.group} (${a.evidence})`)
      .join(', ')} is needed on ${day}`,
    {
      accepted: groups.accepted.map((a) => ({
        group: a.group,
        evidence: a.evidence,
        systems: a.systems ?? null,
      })),
      attested: attested.map((f) => ({
        group: f.data.group,
        system: f.data.source.system,
        validFrom: f.data.validFrom,
        validTo: f.data.validTo ?? null,
      })),
      claimedOn: day,
    },
  )
}

/**
 * A provider is paid only while it is a designated institution (D2 定点机构), and never once it
 * has been delisted (D1 「对违反规定的机构立即清退」). An enterprise need not be designated, but a
 * delisted one is not paid either. Nor is an institution during a suspension it is under
 * (暂停补贴性培训资格, from its first to its last day; not in seeds; set by the region): the
 * refusal names the sanction, its case and its days, and the claim may be made again after it.
 */
export function checkInstitution(
  payee: ClaimFacts['payee'],
  evidence: Evidence,
  today: string,
  fail: Fail,
): void {
  if (payee.kind === 'worker') return
  const institution = payee.id
  let designated = false
  let delisted: ReturnType<typeof factsOf<'InstitutionDelisted'>>[number]['data'] | undefined
  for (const f of evidence.facts) {
    if (
      f.type === 'InstitutionDesignated' &&
      f.data.institution === institution &&
      f.data.effectiveFrom <= today
    ) {
      designated = true
      delisted = undefined
    }
    if (
      f.type === 'InstitutionDelisted' &&
      f.data.institution === institution &&
      f.data.effectiveFrom <= today
    )
      delisted = f.data
  }
  const suspended = factsOf(evidence, 'InstitutionSuspended').find(
    (f) => f.data.institution === institution && f.data.from <= today && today <= f.data.to,
  )?.data
  if (delisted !== undefined)
    fail('institution-delisted', 'the institution has been delisted (清退)', {
      institution,
      delistedOn: delisted.effectiveFrom,
      sanction: 'delisting',
      from: delisted.effectiveFrom,
      ...(delisted.sanction ? { case: delisted.sanction.case, decision: delisted.sanction.decision } : {}),
    })
  else if (payee.kind === 'provider' && !designated)
    fail('institution-designated', 'the provider is not a designated institution (定点机构)', { institution })
  else if (suspended !== undefined)
    fail(
      'institution-suspended',
      `the institution is suspended from ${suspended.from} to ${suspended.to} (case ${suspended.sanction.case})`,
      {
        institution,
        sanction: 'suspension',
        case: suspended.sanction.case,
        decision: suspended.sanction.decision,
        from: suspended.from,
        to: suspended.to,
      },
    )
}

/** NOT IN SEEDS (national practice): a claim is made within N months of the certificate's issue. */
export function checkDeadline(claim: ClaimFacts, rules: RuleSet, basis: ClaimBasis, fail: Fail): void {
  const months = rules.practice.claimWithinMonthsOfCertificate
  const issuedOn = basis.certificate?.data.issuedOn
  if (months === undefined || issuedOn === undefined) return
  const deadline = addMonths(issuedOn, months)
  if (claim.claimedOn > deadline)
    fail('certificate-deadline', `the claim was made more than ${months} months after the certificate`, {
      issuedOn,
      deadline,
      claimedOn: claim.claimedOn,
    })
}
