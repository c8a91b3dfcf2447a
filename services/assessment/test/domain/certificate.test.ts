import { spec } from '@trec/command/testing'
import { describe, expect, it } from 'vitest'
import type { IssueCertificate } from '../../src/domain/certificate.ts'
import { defaultCertificateKindRules } from '../../src/domain/certificate-kinds.ts'
import { assessmentDecider } from '../../src/domain/decider.ts'
import { otherWorker, passedResult, skillLevelCertificate, worker } from '../fixtures.ts'

const issue = (overrides: Partial<IssueCertificate> = {}): IssueCertificate => ({
  type: 'IssueCertificate',
  today: '2024-06-10',
  kindRule: defaultCertificateKindRules.skill_level,
  ...skillLevelCertificate,
  ...overrides,
})
const passed = { type: 'AssessmentResultRecorded' as const, data: passedResult }
const issued = {
  type: 'CertificateIssued' as const,
  data: { ...skillLevelCertificate, assessment: passedResult.assessment },
}
const registered = {
  type: 'CertificateSerialRegistered' as const,
  data: {
    issuerSerial: `eval-130000-0009:${skillLevelCertificate.serial}`,
    issuer: skillLevelCertificate.issuer,
    serial: skillLevelCertificate.serial,
    worker,
    certificate: skillLevelCertificate.certificate,
    kind: 'skill_level' as const,
  },
}
const issuedTypes = ['CertificateIssued', 'CertificateSerialRegistered']
const types = (events: { type: string }[]) => events.map((e) => e.type)
const operation = (overrides: Partial<IssueCertificate> = {}) =>
  issue({
    kind: 'special_operation',
    kindRule: defaultCertificateKindRules.special_operation,
    certificate: 'cert-op-1',
    serial: 'T13010220240001',
    occupationCode: undefined,
    level: undefined,
    itemCode: 'DG-01',
    issuer: { kind: 'authority', id: 'yjt-130100' },
    ...overrides,
  })

describe('issuing a certificate', () => {
  it('issues it on a passing assessment, citing it, and takes the issuer’s serial in the same decision', () => {
    spec(assessmentDecider).given(passed).when(issue()).then(issued, registered)
  })

  it('refuses a levelled certificate with no passing result for that occupation and level', () => {
    const failed = { type: 'AssessmentResultRecorded' as const, data: { ...passedResult, passed: false } }
    const otherLevel = { type: 'AssessmentResultRecorded' as const, data: { ...passedResult, level: 3 } }
    spec(assessmentDecider).given().when(issue()).rejects('certificate.assessment-passed')
    spec(assessmentDecider).given(failed).when(issue()).rejects('certificate.assessment-passed')
    spec(assessmentDecider).given(otherLevel).when(issue()).rejects('certificate.assessment-passed')
    spec(assessmentDecider)
      .given(passed)
      .when(issue({ issuedOn: '2024-05-19' }))
      .rejects('certificate.assessment-passed')
  })

  it('issues the kinds examined outside this record without a result, unless the rule data asks for one', () => {
    const [event] = spec(assessmentDecider).given().when(operation()).events()
    expect(event).toMatchObject({
      type: 'CertificateIssued',
      data: { kind: 'special_operation', itemCode: 'DG-01' },
    })
    spec(assessmentDecider)
      .given()
      .when(operation({ kindRule: { levelled: false, requiresAssessment: true } }))
      .rejects('certificate.assessment-passed')
  })

  it('holds a named assessment to the rule even for kinds that need none', () => {
    spec(assessmentDecider)
      .given()
      .when(operation({ assessment: 'asm-missing' }))
      .rejects('certificate.assessment-passed')
  })

  it('matches a special-ability certificate on its occupation, and needs the occupation or the assessment', () => {
    const ability = (o: Partial<IssueCertificate>) =>
      issue({
        kind: 'special_ability',
        kindRule: defaultCertificateKindRules.special_ability,
        level: undefined,
        itemCode: 'ZX-13-0021',
        ...o,
      })
    const [event] = spec(assessmentDecider).given(passed).when(ability({})).events()
    expect(event?.data).toMatchObject({ assessment: passedResult.assessment })
    spec(assessmentDecider)
      .given(passed)
      .when(ability({ occupationCode: undefined }))
      .rejects('certificate.assessment-passed')
    const named = ability({ occupationCode: undefined, assessment: passedResult.assessment })
    expect(types(spec(assessmentDecider).given(passed).when(named).events())).toEqual(issuedTypes)
  })

  it('refuses a serial the issuer has already given out, to anyone', () => {
    spec(assessmentDecider)
      .given(passed)
      .when(issue({ serialHolder: { worker: otherWorker, certificate: 'cert-other' } }))
      .rejects('certificate.serial-unique')
  })

  it('refuses a second valid certificate of the same kind, occupation and level', () => {
    spec(assessmentDecider)
      .given(passed, issued)
      .when(issue({ certificate: 'cert-2', serial: 'S2' }))
      .rejects('certificate.no-duplicate-valid')
  })

  it('issues a new one once the old one is revoked or has expired', () => {
    const revoked = {
      type: 'CertificateRevoked' as const,
      data: { worker, certificate: issued.data.certificate, reason: 'issued_in_error' as const },
    }
    const again = issue({ certificate: 'cert-2', serial: 'S2' })
    expect(types(spec(assessmentDecider).given(passed, issued, revoked).when(again).events())).toEqual(
      issuedTypes,
    )
    const expiring = { ...issued, data: { ...issued.data, validUntil: '2024-06-30' } }
    const renewed = issue({
      certificate: 'cert-2',
      serial: 'S2',
      issuedOn: '2024-07-01',
      today: '2024-07-01',
    })
    expect(types(spec(assessmentDecider).given(passed, expiring).when(renewed).events())).toEqual(issuedTypes)
  })

  it('refuses a certificate dated after today', () => {
    spec(assessmentDecider)
      .given(passed)
      .when(issue({ today: '2024-06-02' }))
      .rejects('certificate.not-future')
  })
})

describe('revoking a certificate', () => {
  const revoke = {
    type: 'RevokeCertificate' as const,
    worker,
    certificate: issued.data.certificate,
    reason: 'fraud' as const,
    note: '替考',
  }
  const revokedEvent = {
    type: 'CertificateRevoked' as const,
    data: { worker, certificate: issued.data.certificate, reason: 'fraud' as const, note: '替考' },
  }

  it('revokes a certificate the worker holds, with its reason', () => {
    spec(assessmentDecider).given(passed, issued).when(revoke).then(revokedEvent)
  })

  it('refuses a certificate not on the worker’s record', () => {
    spec(assessmentDecider).given(passed).when(revoke).rejects('certificate.known')
  })

  it('refuses to revoke twice', () => {
    spec(assessmentDecider)
      .given(passed, issued, revokedEvent)
      .when(revoke)
      .rejects('certificate.not-revoked')
  })
})
