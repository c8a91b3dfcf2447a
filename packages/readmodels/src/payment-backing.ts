import {
  type AcceptedGroup,
  attendanceFacts,
  attendancePolicyOf,
  computeAttendance,
  type DomainEvent,
  groupAttestations,
  groupShownOn,
  type ScheduledSession,
} from '@trec/contracts'
import type { BackingKindRule, BackingRuleSet } from './backing-rules.ts'
import { canonical, type Fact, type FoldEvent, lastOf, workerOf } from './events.ts'

// 「凡补必进、不进不补」 (D1, D3), checked after the fact: a payment is backed when the record held,
// before the payment, the real-name chain its rule set required, and the payment cites it (brief
// §4: enrolment → identity verification → attendance → completion → certificate where required →
// approved claim). The subsidy gate checks the same before paying; this check trusts nothing the
// gate decided and reads only the record, so an auditor can rerun it on an export.

export const backingReasonCodes = [
  'evidence-missing', // a cited event is not in the worker's record
  'evidence-after-payment', // a cited event was recorded at or after the payment
  'evidence-other-worker', // a cited event is about another worker
  'claim-missing', // no claim submission before the payment
  'claim-not-approved', // no approval of the claim before the payment
  'amount-above-approved', // paid more than approved
  'rule-set-unknown', // the rule set the payment names is not known here
  'kind-not-configured', // the rule set has no standard for the claim's kind
  'identity-not-verified', // no verified real-name check, or a later one failed
  'not-enrolled', // the worker's enrolment in the class is not cited
  'payee-not-enrolling-institution', // a provider paid for a worker another institution enrolled
  'no-completion', // no passed completion of the class is cited
  'attendance-below-minimum', // the share, or the face-checked sessions, below the minimum
  'no-certificate', // a required certificate is not cited
  'certificate-revoked', // the cited certificate was revoked before the payment
  'certificate-kind', // the cited certificate's kind does not qualify
  'claim-paid-before', // the claim was already paid by an earlier payment
  'not-in-target-group', // no cited attestation shows the worker in a target group on the claim's day
] as const
export type BackingReasonCode = (typeof backingReasonCodes)[number]

export interface BackingReason {
  code: BackingReasonCode | 'certificate-revoked-after-payment'
  message: string
  details?: Record<string, unknown>
}

export interface CitedEvidence {
  id: string
  /** The cited event's type, or null when it is not in the record. */
  type: string | null
  present: boolean
  beforePayment: boolean
}

export interface PaymentBacking {
  backed: boolean
  /** Why the payment is not backed; empty when it is. */
  reasons: BackingReason[]
  /** Facts after the payment that make it suspect (a certificate it relied on revoked later). */
  warnings: BackingReason[]
  cited: CitedEvidence[]
}

export interface BackingContext {
  /** The rule set the payment names (`payment.data.ruleSet`); absent when it is not known. */
  rules?: BackingRuleSet
  /** The class's schedule (`ClassOpened.sessions`), to count the hours the cited evidence shows. */
  sessions?: readonly ScheduledSession[]
}

/**
 * Judges one payment against the worker's record (`record`: the worker's events; anything else
 * is ignored). Every failing check is returned, each with a stable code.
 */
export function paymentBacking(
  payment: Fact<'SubsidyPaid'>,
  record: readonly FoldEvent[],
  context: BackingContext = {},
): PaymentBacking {
  const events = canonical(record)
  const before = events.filter((e) => e.position < payment.position)
  const byId = new Map(events.map((e) => [e.id, e]))
  const reasons: BackingReason[] = []
  const warnings: BackingReason[] = []
  const fail = (code: BackingReasonCode, message: string, details?: Record<string, unknown>) =>
    reasons.push({ code, message, ...(details ? { details } : {}) })

  const cited: CitedEvidence[] = payment.data.evidence.map((id) => {
    const e = byId.get(id)
    return {
      id,
      type: e?.type ?? null,
      present: e !== undefined,
      beforePayment: e !== undefined && e.position < payment.position,
    }
  })
  const missing = cited.filter((c) => !c.present).map((c) => c.id)
  if (missing.length > 0)
    fail('evidence-missing', 'cited evidence is not in the worker’s record', { ids: missing })
  const late = cited.filter((c) => c.present && !c.beforePayment).map((c) => c.id)
  if (late.length > 0)
    fail('evidence-after-payment', 'cited evidence was recorded after the payment', { ids: late })
  const foreign = cited
    .filter((c) => c.present && workerOf(byId.get(c.id)!) !== payment.data.worker)
    .map((c) => c.id)
  if (foreign.length > 0)
    fail('evidence-other-worker', 'cited evidence is about another worker', { ids: foreign })
  const usable = canonical(
    cited.filter((c) => c.present && c.beforePayment && !foreign.includes(c.id)).map((c) => byId.get(c.id)!),
  )

  const claim = lastOf(before, 'SubsidyClaimSubmitted', (c) => c.claim === payment.data.claim)
  if (!claim)
    fail('claim-missing', 'the claim was not submitted before the payment', { claim: payment.data.claim })
  const decision = lastOf(before, 'SubsidyClaimDecided', (d) => d.claim === payment.data.claim)
  if (decision?.data.outcome !== 'approved')
    fail('claim-not-approved', 'the claim was not approved before the payment', {
      outcome: decision?.data.outcome ?? null,
    })
  else if (decision.data.approvedAmount !== undefined && payment.data.amount > decision.data.approvedAmount)
    fail('amount-above-approved', 'the payment is more than the approved amount', {
      amount: payment.data.amount,
      approved: decision.data.approvedAmount,
    })

  const cls = claim?.data.class
  const { rules } = context
  let rule: BackingKindRule | undefined
  if (!rules)
    fail(
      'rule-set-unknown',
      'the rule set the payment names is not known, so its requirements cannot be checked',
      {
        ruleSet: payment.data.ruleSet,
      },
    )
  else if (claim) {
    rule = rules.kinds[claim.data.kind]
    if (!rule)
      fail('kind-not-configured', `the rule set has no standard for ${claim.data.kind} subsidies`, {
        kind: claim.data.kind,
      })
  }
  // Without the rules, judge the chain the claim itself implies: a class needs enrolment and
  // completion, a named certificate needs the certificate.
  const requires = rule?.requires ?? {
    enrolment: cls !== undefined,
    attendance: false,
    completion: cls !== undefined,
    certificate: claim?.data.certificate !== undefined,
  }

  // 实名认证 (D0, D4): always. A cited verified check, and no later failed check before the payment.
  const forClass = (v: { class?: string | undefined }) =>
    cls === undefined || v.class === undefined || v.class === cls
  const verified = lastOf(usable, 'IdentityVerified', (v) => forClass(v) && v.result === 'verified')
  const latest = lastOf(before, 'IdentityVerified', forClass)
  if (!verified) fail('identity-not-verified', 'no verified real-name check is cited', { class: cls ?? null })
  else if (latest && latest.data.result !== 'verified')
    fail('identity-not-verified', 'a later real-name check before the payment failed', {
      latest: latest.id,
      result: latest.data.result,
    })

  if (requires.enrolment || cls !== undefined) {
    const enrolled = lastOf(usable, 'WorkerEnrolled', (e) => e.class === cls)
    if (!enrolled)
      fail('not-enrolled', 'the worker’s enrolment in the class is not cited', { class: cls ?? null })
    else if (payment.data.payee.kind !== 'worker' && payment.data.payee.id !== enrolled.data.institution)
      fail(
        'payee-not-enrolling-institution',
        'a provider or enterprise is paid only for workers it enrolled',
        {
          payee: payment.data.payee.id,
          enrolledWith: enrolled.data.institution,
        },
      )
  }
  const completion = cls ? lastOf(usable, 'TrainingCompleted', (t) => t.class === cls) : undefined
  if (requires.completion && !completion?.data.passed)
    fail('no-completion', 'no passed completion of the class is cited', { class: cls ?? null })
  if (requires.attendance) checkAttendance(usable, completion, cls, context, fail)
  if (requires.certificate || claim?.data.certificate !== undefined) {
    const named = claim?.data.certificate
    const cert = lastOf(usable, 'CertificateIssued', (c) => named === undefined || c.certificate === named)
    const revocation = cert
      ? lastOf(events, 'CertificateRevoked', (r) => r.certificate === cert.data.certificate)
      : undefined
    if (!cert)
      fail('no-certificate', 'the certificate the claim needs is not cited', { certificate: named ?? null })
    else if (revocation && revocation.position < payment.position)
      fail('certificate-revoked', 'the cited certificate was revoked before the payment', {
        certificate: cert.data.certificate,
        revocation: revocation.id,
      })
    else if (rule?.certificateKinds && !rule.certificateKinds.includes(cert.data.kind))
      fail('certificate-kind', 'the cited certificate’s kind does not qualify', {
        kind: cert.data.kind,
        accepted: rule.certificateKinds,
      })
    if (revocation && revocation.position > payment.position)
      warnings.push({
        code: 'certificate-revoked-after-payment',
        message: 'a certificate the payment relied on was revoked later',
        details: { certificate: cert!.data.certificate, revocation: revocation.id },
      })
  }
  if (rule?.groups && claim) checkGroup(usable, rule.groups.accepted, payment, claim.data.claimedOn, fail)
  return { backed: reasons.length === 0, reasons, warnings, cited }
}

/**
 * Eligibility, judged again on the cited evidence by the gate's own reading of membership
 * (`groupShownOn`, @trec/contracts): a cited attestation from an accepted system shows the
 * worker in one of the kind's target groups on the day the claim was made.
 */
function checkGroup(
  usable: readonly FoldEvent[],
  accepted: readonly AcceptedGroup[],
  payment: Fact<'SubsidyPaid'>,
  claimedOn: string,
  fail: (code: BackingReasonCode, message: string, details?: Record<string, unknown>) => void,
): void {
  const attested = groupAttestations(
    usable as unknown as readonly (DomainEvent & { id: string })[],
    payment.data.worker,
  )
  if (!groupShownOn(attested, accepted, claimedOn))
    fail(
      'not-in-target-group',
      'no cited attestation shows the worker in a target group of the kind on the claim’s day',
      {
        accepted: accepted.map((g) => g.group),
        cited: attested.map((a) => ({ id: a.id, group: a.data.group, system: a.data.source.system })),
        claimedOn,
      },
    )
}

function checkAttendance(
  usable: readonly FoldEvent[],
  completion: Fact<'TrainingCompleted'> | undefined,
  cls: string | undefined,
  { rules, sessions }: BackingContext,
  fail: (code: BackingReasonCode, message: string, details?: Record<string, unknown>) => void,
): void {
  // NOT IN SEEDS: the minimum share is national practice, configured per rule set.
  const minimum = rules?.practice.minAttendanceShare ?? 0
  if (!completion) {
    fail('attendance-below-minimum', 'no attendance share of the class is cited', { minimum })
    return
  }
  if (completion.data.attendanceShare < minimum)
    fail('attendance-below-minimum', 'the attendance share is below the minimum', {
      share: completion.data.attendanceShare,
      minimum,
    })
  if (!rules?.practice.countFaceChecks || !sessions || sessions.length === 0 || cls === undefined) return
  // The one reading of hours (@trec/contracts), over the cited evidence only: in-person sessions
  // by passing live face checks, online sessions by the learning records, as the gate judged them.
  const facts = attendanceFacts(usable as unknown as readonly (DomainEvent & { id: string })[], cls)
  const hours = computeAttendance(
    sessions,
    facts.faceChecks,
    facts.segments,
    attendancePolicyOf(rules.practice),
    facts.taps,
  )
  if (hours.attendanceShare < minimum)
    fail('attendance-below-minimum', 'the cited evidence shows too few of the class’s hours attended', {
      attendedHours: hours.attendedHours,
      requiredHours: hours.requiredHours,
      share: hours.attendanceShare,
      minimum,
    })
}
