import {
  type Envelope,
  effectiveVersions,
  emptyRulebook,
  evolveRulebook,
  type RulebookEvent,
  type RulebookState,
  ruleSetInForce,
} from '@trec/contracts'
import type { AlertDraft, FraudRule } from '../detectors/fraud-rule.ts'
import type { RuleParameters } from './parameters.ts'
import { localDay } from './time.ts'

// R9 (docs/fraud-rules.md; the audit's fake trainees, the Haidian bought identities): ineligible
// or phantom trainees. An enrolment is flagged when
// - no real-name check of the worker answered `verified` before it (`requireVerifiedCheck`);
// - the rule set in force where and when it was made requires a signed attestation
//   (`identity.requireAttestation`, docs/identity-attestations.md) and no verified check of the
//   worker carries one still valid at the enrolment;
// - the worker's check is another person's: the same attestation (by its hash), or the same
//   platform reference of the same verifier, already vouched for a different worker;
// - an attestation of the worker says a fact in `ineligibleFacts` (deceased on or before the
//   enrolment day, in full-time study on it), whichever of the two is recorded first.
// The training service refuses most of these at the door; the rule reads what the record holds,
// whoever wrote it (an import, an older version, a provider's own system).

interface Check {
  id: string
  class?: string
  verified: boolean
  /** When the signed attestation behind it expires (epoch ms); absent when unsigned. */
  signedUntil?: number
  deceased?: { on?: string }
  study?: { until?: string }
}

interface Enrolment {
  id: string
  class: string
  at: number
  day: string
}

interface WorkerChecks {
  checks: Check[]
  enrolments: Enrolment[]
}

/** Who a check's reference vouched for first. */
interface RefUse {
  worker: string
  event: string
}

const maxKept = 50
const rulebookKey = 'rulebook'
const workerKey = (worker: string) => `w:${worker}`

function refKey(event: Envelope<'IdentityVerified'>): string {
  const d = event.data
  return d.attestation
    ? `a:${d.attestation.sha256}`
    : `r:${d.verifiedBy.kind}:${d.verifiedBy.id}:${d.platformRef}`
}

function checkOf(event: Envelope<'IdentityVerified'>): Check {
  const d = event.data
  const facts = d.attestation?.facts ?? []
  const deceased = facts.find((f) => f.fact === 'deceased')
  const study = facts.find((f) => f.fact === 'full_time_study')
  return {
    id: event.id,
    ...(d.class === undefined ? {} : { class: d.class }),
    verified: d.result === 'verified',
    ...(d.attestation && d.result === 'verified' ? { signedUntil: Date.parse(d.attestation.expiresAt) } : {}),
    ...(deceased ? { deceased: deceased.on === undefined ? {} : { on: deceased.on } } : {}),
    ...(study ? { study: study.until === undefined ? {} : { until: study.until } } : {}),
  }
}

/** The ineligibility facts of a check that hold on an enrolment's day. */
function factFindings(
  worker: string,
  check: Check,
  enrolment: Enrolment,
  params: RuleParameters<'R9'>,
): AlertDraft[] {
  const out: AlertDraft[] = []
  const facts = new Set(params.ineligibleFacts)
  if (facts.has('deceased') && check.deceased && (check.deceased.on ?? '') <= enrolment.day)
    out.push({
      subject: { kind: 'worker', id: worker },
      occurrence: `deceased:${enrolment.class}`,
      evidence: [check.id, enrolment.id],
      summary: `enrolled in ${enrolment.class} on ${enrolment.day}, but an attestation records the person as deceased${check.deceased.on ? ` on ${check.deceased.on}` : ''}`,
    })
  if (facts.has('full_time_study') && check.study && (check.study.until ?? '9999') >= enrolment.day)
    out.push({
      subject: { kind: 'worker', id: worker },
      occurrence: `full_time_study:${enrolment.class}`,
      evidence: [check.id, enrolment.id],
      summary: `enrolled in ${enrolment.class} on ${enrolment.day} while an attestation records full-time study${check.study.until ? ` until ${check.study.until}` : ''}`,
    })
  return out
}

function onEnrolment(
  event: Envelope<'WorkerEnrolled'>,
  record: WorkerChecks,
  rulebook: RulebookState,
  params: RuleParameters<'R9'>,
): AlertDraft[] {
  const d = event.data
  const at = Date.parse(event.occurredAt)
  const enrolment: Enrolment = { id: event.id, class: d.class, at, day: localDay(at) }
  record.enrolments = [...record.enrolments.filter((e) => e.id !== event.id), enrolment].slice(-maxKept)
  const own = record.checks.filter((c) => c.class === undefined || c.class === d.class)
  const verified = own.filter((c) => c.verified)
  const drafts: AlertDraft[] = []
  if (params.requireVerifiedCheck && verified.length === 0)
    drafts.push({
      subject: { kind: 'worker', id: d.worker },
      occurrence: `unverified:${d.class}`,
      evidence: own.map((c) => c.id),
      summary: `enrolled in ${d.class} with no real-name check that answered verified${own.length ? ` (${own.length} check(s) that did not)` : ''}`,
    })
  const set = ruleSetInForce(effectiveVersions(rulebook), event.region, enrolment.day)
  if (set?.identity?.requireAttestation && !verified.some((c) => (c.signedUntil ?? 0) >= at))
    drafts.push({
      subject: { kind: 'worker', id: d.worker },
      occurrence: `unsigned:${d.class}`,
      evidence: verified.map((c) => c.id),
      summary: `enrolled in ${d.class} on ${enrolment.day} without a valid signed attestation, which rule set ${set.id} version ${set.version} requires`,
      measures: { ruleSetVersion: set.version },
    })
  for (const check of record.checks) drafts.push(...factFindings(d.worker, check, enrolment, params))
  return drafts
}

export const r9IneligibleTrainee: FraudRule<'R9'> = {
  id: 'R9',
  title: 'Ineligible or phantom trainees',
  reads: [
    'SubsidyRuleSetPublished',
    'SubsidyRuleSetAmended',
    'SubsidyRuleSetWithdrawn',
    'IdentityVerified',
    'WorkerEnrolled',
  ],
  keys: (event) => {
    if (event.type === 'IdentityVerified') return [workerKey(event.data.worker), refKey(event)]
    if (event.type === 'WorkerEnrolled') return [workerKey(event.data.worker), rulebookKey]
    return [rulebookKey]
  },
  async step(event, state, params) {
    if (
      event.type === 'SubsidyRuleSetPublished' ||
      event.type === 'SubsidyRuleSetAmended' ||
      event.type === 'SubsidyRuleSetWithdrawn'
    ) {
      const rulebook = (await state.get<RulebookState>(rulebookKey)) ?? emptyRulebook()
      state.set(rulebookKey, evolveRulebook(rulebook, event as RulebookEvent))
      return []
    }
    if (event.type !== 'IdentityVerified' && event.type !== 'WorkerEnrolled') return []
    const key = workerKey(event.data.worker)
    const record = (await state.get<WorkerChecks>(key)) ?? { checks: [], enrolments: [] }
    if (event.type === 'WorkerEnrolled') {
      const rulebook = (await state.get<RulebookState>(rulebookKey)) ?? emptyRulebook()
      const drafts = onEnrolment(event, record, rulebook, params)
      state.set(key, record)
      return drafts
    }
    const check = checkOf(event)
    record.checks = [...record.checks.filter((c) => c.id !== event.id), check].slice(-maxKept)
    state.set(key, record)
    const drafts: AlertDraft[] = []
    // A fact recorded after the enrolment it concerns.
    for (const enrolment of record.enrolments)
      drafts.push(...factFindings(event.data.worker, check, enrolment, params))
    if (check.verified) {
      const ref = refKey(event)
      const first = await state.get<RefUse>(ref)
      if (first === undefined) state.set(ref, { worker: event.data.worker, event: event.id })
      else if (first.worker !== event.data.worker)
        drafts.push({
          subject: { kind: 'worker', id: event.data.worker },
          occurrence: `another_person:${ref}`,
          evidence: [first.event],
          summary: `the real-name check of ${event.data.worker}${event.data.class ? ` for ${event.data.class}` : ''} is one that already vouched for ${first.worker} (${event.data.attestation ? 'the same signed attestation' : `the same reference of ${event.data.verifiedBy.id}`})`,
        })
    }
    return drafts
  },
}
