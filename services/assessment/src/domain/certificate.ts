import { check, type RuleViolation } from '@trec/command'
import type { EventData } from '@trec/contracts'
import type { CertificateKindRule } from './certificate-kinds.ts'
import { rules } from './rules.ts'
import { type AssessmentEvent, type AssessmentState, isValidOn, type ResultRecord } from './state.ts'

// Certificates of the five kinds (D3 二十六) and their revocation.

export type IssueCertificate = {
  type: 'IssueCertificate'
  /** Today's date (CST) by the service's clock. */
  today: string
  kindRule: CertificateKindRule
  /** Who already holds this issuer's serial, read from `certificate-{issuerSerial}`; absent when free. */
  serialHolder?: { worker: string; certificate: string }
} & EventData<'CertificateIssued'>

export type RevokeCertificate = { type: 'RevokeCertificate' } & EventData<'CertificateRevoked'>

/** The passing results this certificate may rest on, latest first. */
function supportingResults(command: IssueCertificate, state: AssessmentState): ResultRecord[] {
  const { assessment, occupationCode, level, issuedOn, kindRule } = command
  // With neither named there is nothing to match: any passing result would do, which is no rule.
  if (assessment === undefined && occupationCode === undefined) return []
  return [...state.results.values()]
    .filter(
      (r) =>
        r.passed &&
        r.assessedOn <= issuedOn &&
        (assessment === undefined || r.assessment === assessment) &&
        (occupationCode === undefined || r.occupationCode === occupationCode) &&
        (!kindRule.levelled || r.level === level),
    )
    .sort((a, b) => b.assessedOn.localeCompare(a.assessedOn))
}

function assessmentRule(
  command: IssueCertificate,
  found: ResultRecord | undefined,
): RuleViolation | undefined {
  const { kind, assessment, occupationCode, level, kindRule } = command
  if (found || (!kindRule.requiresAssessment && assessment === undefined)) return undefined
  const facts = { kind, assessment, occupationCode, level }
  if (assessment === undefined && occupationCode === undefined)
    return {
      rule: rules.certificateAssessmentPassed.id,
      message: `a ${kind} certificate needs a passing assessment: name its occupation code or the assessment`,
      details: facts,
    }
  return {
    rule: rules.certificateAssessmentPassed.id,
    message: `no passing assessment on the record supports this ${kind} certificate`,
    details: facts,
  }
}

const sameSubject = (
  a: Pick<EventData<'CertificateIssued'>, 'kind' | 'occupationCode' | 'level' | 'itemCode'>,
  b: typeof a,
) =>
  a.kind === b.kind &&
  a.occupationCode === b.occupationCode &&
  a.level === b.level &&
  a.itemCode === b.itemCode

export function decideIssue(command: IssueCertificate, state: AssessmentState): AssessmentEvent[] {
  const { type: _type, today, kindRule: _rule, serialHolder, ...data } = command
  const found = supportingResults(command, state)[0]
  const held = [...state.certificates.values()].find(
    (c) => sameSubject(c, data) && isValidOn(c, data.issuedOn),
  )
  check(
    data.issuedOn > today && {
      rule: rules.certificateNotFuture.id,
      message: `issuedOn ${data.issuedOn} is after today (${today})`,
      details: { issuedOn: data.issuedOn, today },
    },
    serialHolder !== undefined && {
      rule: rules.certificateSerialUnique.id,
      message: `issuer ${data.issuer.id} has already issued serial ${data.serial}`,
      details: { issuer: data.issuer.id, serial: data.serial, certificate: serialHolder.certificate },
    },
    assessmentRule(command, found),
    held !== undefined && {
      rule: rules.certificateNoDuplicate.id,
      message: `the worker already holds a valid ${data.kind} certificate for this subject`,
      details: { certificate: held.certificate, kind: held.kind, serial: held.serial },
    },
  )
  const assessment = found?.assessment ?? data.assessment
  return [
    { type: 'CertificateIssued', data: { ...data, ...(assessment === undefined ? {} : { assessment }) } },
    {
      type: 'CertificateSerialRegistered',
      data: {
        issuerSerial: `${data.issuer.id}:${data.serial}`,
        issuer: data.issuer,
        serial: data.serial,
        worker: data.worker,
        certificate: data.certificate,
        kind: data.kind,
      },
    },
  ]
}

export function decideRevoke(command: RevokeCertificate, state: AssessmentState): AssessmentEvent[] {
  const { type: _type, ...data } = command
  const held = state.certificates.get(data.certificate)
  check(
    !held && {
      rule: rules.certificateKnown.id,
      message: `certificate ${data.certificate} is not on this worker's record`,
      details: { certificate: data.certificate },
    },
    held?.revoked !== undefined && {
      rule: rules.certificateNotRevoked.id,
      message: `certificate ${data.certificate} is already revoked (${held.revoked})`,
      details: { certificate: data.certificate, revoked: held.revoked },
    },
  )
  return [{ type: 'CertificateRevoked', data }]
}
