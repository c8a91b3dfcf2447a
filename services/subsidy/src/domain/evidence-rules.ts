import type { RuleViolation } from '@trec/command'
import { attendanceFacts, attendancePolicyOf, computeAttendance, regionCovers } from '@trec/contracts'
import type { ClaimBasis } from './basis.ts'
import { type ClaimFacts, violation } from './claim-facts.ts'
import { type Evidence, lastFact } from './facts.ts'
import { type KindRule, type RuleSet, refOf } from './rule-set.ts'

// 「凡补必进、不进不补」 (D1, D3): nothing is paid unless its training is in the record. The chain
// (docs/domain.md §4): enrolment → identity verification → attendance → completion → certificate where
// required. Each check that finds its evidence adds the event's id; each that does not adds a
// violation with a stable rule id.

export interface Checked {
  violations: RuleViolation[]
  evidence: string[]
}

export function checkChain(
  claim: ClaimFacts,
  rule: KindRule,
  rules: RuleSet,
  basis: ClaimBasis,
  evidence: Evidence,
): Checked {
  const ref = refOf(rules)
  const out: Checked = { violations: [], evidence: [] }
  const fail = (id: string, message: string, details?: Record<string, unknown>) =>
    out.violations.push(violation(id, message, ref, details))
  const cls = claim.class

  // Enrolment: the worker is on the record for the class the claim names (training-{worker}).
  const enrolled = cls ? lastFact(evidence, 'WorkerEnrolled', (e) => e.class === cls) : undefined
  if (rule.requires.enrolment || cls !== undefined) {
    if (!enrolled)
      fail('enrolled', 'the worker is not enrolled in the class on the record', { class: cls ?? null })
    else out.evidence.push(enrolled.id)
  }
  if (enrolled && claim.payee.kind !== 'worker' && claim.payee.id !== enrolled.data.institution)
    fail('payee-institution', 'a provider or enterprise is paid only for workers it enrolled', {
      payee: claim.payee.id,
      enrolledWith: enrolled.data.institution,
    })
  if (basis.classApplied && !regionCovers(claim.region, basis.classApplied.data.region))
    fail('claim-region', 'the class was run outside the claim’s region', {
      classRegion: basis.classApplied.data.region,
    })

  // 实名认证 (D0, D4: 「实现培训对象实名认证」): always required. The latest check decides, so a
  // later mismatch undoes an earlier match: for a class, its own checks and those tied to none;
  // for a claim without a class (a certificate), any check of the person.
  const identity = lastFact(
    evidence,
    'IdentityVerified',
    (v) => cls === undefined || v.class === undefined || v.class === cls,
  )
  if (identity?.data.result !== 'verified')
    fail('identity-verified', 'the worker’s identity is not verified against the card holder base', {
      result: identity?.data.result ?? null,
    })
  else out.evidence.push(identity.id)

  const completed = cls ? lastFact(evidence, 'TrainingCompleted', (t) => t.class === cls) : undefined
  if (rule.requires.attendance) checkAttendance(claim, rules, evidence, completed, fail, out.evidence)
  if (rule.requires.completion) {
    if (!completed?.data.passed)
      fail('completion', 'no passed completion of the class is on the record', {
        passed: completed?.data.passed ?? null,
      })
    else out.evidence.push(completed.id)
  }
  if (rule.requires.certificate || claim.certificate !== undefined)
    checkCertificate(claim, rule, basis, evidence, fail, out.evidence)
  return out
}

type Fail = (id: string, message: string, details?: Record<string, unknown>) => void

/**
 * Attendance (NOT IN SEEDS: a minimum share is national practice): the completion's share, and
 * where the rules say so, the hours the record itself shows, by the one reading of hours
 * (`computeAttendance`, @trec/contracts): in-person sessions from passing live face checks,
 * online sessions from the learning records, so a blended class is judged on both.
 */
function checkAttendance(
  claim: ClaimFacts,
  rules: RuleSet,
  evidence: Evidence,
  completed: ReturnType<typeof lastFact<'TrainingCompleted'>>,
  fail: Fail,
  ids: string[],
): void {
  const min = rules.practice.minAttendanceShare ?? 0
  if (!completed) {
    fail('attendance-minimum', 'no attendance share of the class is on the record', { minimum: min })
    return
  }
  if (completed.data.attendanceShare < min)
    fail('attendance-minimum', 'the attendance share is below the minimum', {
      share: completed.data.attendanceShare,
      minimum: min,
    })
  if (!rules.practice.countFaceChecks) return
  const opened = lastFact(evidence, 'ClassOpened', (c) => c.class === claim.class)
  if (!opened || claim.class === undefined) {
    fail('attendance-minimum', 'the class schedule is not on the record, so attendance cannot be counted', {
      minimum: min,
    })
    return
  }
  const facts = attendanceFacts(evidence.facts, claim.class)
  const hours = computeAttendance(
    opened.data.sessions,
    facts.faceChecks,
    facts.segments,
    attendancePolicyOf(rules.practice),
    facts.taps,
  )
  if (hours.attendanceShare < min)
    fail(
      'attendance-minimum',
      'the record shows too few of the class’s hours attended (face checks in person, learning records online)',
      {
        attendedHours: hours.attendedHours,
        requiredHours: hours.requiredHours,
        share: hours.attendanceShare,
        minimum: min,
      },
    )
  ids.push(...hours.evidence)
}

function checkCertificate(
  claim: ClaimFacts,
  rule: KindRule,
  basis: ClaimBasis,
  evidence: Evidence,
  fail: Fail,
  ids: string[],
): void {
  const cert = basis.certificate
  if (!cert) {
    fail('certificate-required', 'the claim needs a certificate that is on the record', {
      certificate: claim.certificate ?? null,
      reason: claim.certificate === undefined ? 'none named' : 'not on the record',
    })
    return
  }
  if (lastFact(evidence, 'CertificateRevoked', (r) => r.certificate === cert.data.certificate))
    fail('certificate-required', 'the certificate was revoked', {
      certificate: cert.data.certificate,
      reason: 'revoked',
    })
  else if (rule.certificateKinds && !rule.certificateKinds.includes(cert.data.kind))
    fail('certificate-required', 'this kind of certificate does not qualify', {
      certificate: cert.data.certificate,
      kind: cert.data.kind,
      accepted: rule.certificateKinds,
      reason: 'kind',
    })
  else ids.push(cert.id)
}
