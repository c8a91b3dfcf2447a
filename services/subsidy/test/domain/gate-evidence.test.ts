import { spec } from '@trec/command/testing'
import { describe, expect, it } from 'vitest'
import { subsidyDecider } from '../../src/domain/claim-decider.ts'
import type { Fact } from '../../src/domain/facts.ts'
import {
  applied,
  certificate,
  classRecord,
  cls,
  completed,
  contributions,
  designated,
  enrolled,
  faceCheck,
  fact,
  fullRecord,
  institution,
  opened,
  published,
  reviewed,
  revoked,
  schedule,
  sessions,
  verified,
  worker,
  workerRecord,
} from '../record.ts'
import { skillUpgradeClaim, skillUpgradeRecord, trainingClaim } from './commands.ts'

// 「凡补必进、不进不补」 (D1, D3): a claim is accepted only when its evidence is on the record.
// Each refusal names its rule; nothing else fails alongside it.

const without = (facts: Fact[], type: Fact['type']) => facts.filter((f) => f.type !== type)
const given = () => spec(subsidyDecider).given()

describe('a training claim with its whole record', () => {
  it('is accepted, recording what the record says it is for and the rule set it was judged by', () => {
    const [event] = given().when(trainingClaim(fullRecord())).events()
    expect(event).toEqual({
      type: 'SubsidyClaimSubmitted',
      data: {
        claim: `clm-${worker}-1`,
        worker,
        region: '130100',
        kind: 'training',
        payee: { kind: 'provider', id: institution },
        amount: 220_000,
        class: cls,
        claimedOn: '2021-06-15',
        ruleSet: { id: 'sjz-2019', version: 1 },
        occupationCode: '6-31-01-03',
        level: 4,
      },
    })
  })
})

describe('the evidence chain', () => {
  it('refuses a worker whose identity was never verified (identity-verified)', () => {
    given()
      .when(trainingClaim(without(fullRecord(), 'IdentityVerified')))
      .rejects('identity-verified')
  })

  it('refuses a worker whose latest identity check was a mismatch (identity-verified)', () => {
    given()
      .when(trainingClaim([...fullRecord(), verified('mismatch')]))
      .rejects('identity-verified')
  })

  it('counts a check for another class against this one only if it is tied to no class', () => {
    const elsewhere = { ...verified(), data: { ...verified().data, class: 'cls-other' } }
    given()
      .when(trainingClaim([...without(fullRecord(), 'IdentityVerified'), elsewhere]))
      .rejects('identity-verified')
    const { class: _, ...untied } = verified().data
    const anyClass = { ...verified(), data: untied }
    expect(
      given()
        .when(trainingClaim([...without(fullRecord(), 'IdentityVerified'), anyClass]))
        .events(),
    ).toHaveLength(1)
  })

  it('accepts any verification of the person for a claim on a certificate alone', () => {
    const record = [...skillUpgradeRecord().filter((f) => f.type !== 'IdentityVerified'), verified()]
    expect(given().when(skillUpgradeClaim(record)).events()).toHaveLength(1)
  })

  it('refuses a worker not enrolled in the class (enrolled)', () => {
    given()
      .when(trainingClaim(without(fullRecord(), 'WorkerEnrolled')))
      .rejects('enrolled')
  })

  it('refuses a provider claiming for a worker another institution enrolled (payee-institution)', () => {
    const record = [...classRecord(), enrolled(worker, 'inst-other'), ...workerRecord().slice(1)]
    given().when(trainingClaim(record)).rejects('payee-institution')
  })

  it('refuses an attendance share below the minimum of 0.8 (attendance-minimum)', () => {
    const record = [...without(fullRecord(), 'TrainingCompleted'), completed(0.7, true)]
    const [reason] = given().when(trainingClaim(record)).rejects('attendance-minimum')
    expect(reason?.details).toMatchObject({ share: 0.7, minimum: 0.8 })
  })

  it('counts only sessions with a passing, live face check (attendance-minimum)', () => {
    const checks = sessions(10).map((s, i) =>
      i < 7 ? faceCheck(s) : i === 7 ? faceCheck(s, 'fail') : faceCheck(s, 'pass', false),
    )
    const record = [...classRecord(), enrolled(), verified(), ...checks, completed(1, true)]
    const [reason] = given().when(trainingClaim(record)).rejects('attendance-minimum')
    expect(reason?.details).toMatchObject({ attendedHours: 24.5, requiredHours: 35, share: 0.7 })
  })

  it('pays a blended class on face checks in person and learning records online, and not without them', () => {
    // Sessions 8–10 are online: attended by the platform's learning records, not by face checks.
    const blended = schedule(10).map((x, i) =>
      i >= 7 ? { ...x, mode: 'online' as const, venue: 'plat-hebei-01' } : x,
    )
    const classFacts = classRecord().map((f) =>
      f.type === 'ClassOpened' ? fact('ClassOpened', { ...f.data, sessions: blended }) : f,
    )
    const inPerson = sessions(7).map((x) => faceCheck(x))
    const online = blended.slice(7).map((x) =>
      fact('OnlineLearningSegmentRecorded', {
        worker,
        class: cls,
        platform: 'plat-hebei-01',
        lesson: `l-${x.session}`,
        start: x.start,
        end: x.end,
        playbackRate: 1,
        clientFingerprint: 'a'.repeat(64),
      }),
    )
    const base = [...classFacts, enrolled(), verified(), ...inPerson, completed(1, true)]
    const [event] = given()
      .when(trainingClaim([...base, ...online]))
      .events()
    expect(event?.type).toBe('SubsidyClaimSubmitted')
    const [reason] = given().when(trainingClaim(base)).rejects('attendance-minimum')
    expect(reason?.details).toMatchObject({ share: 0.7, minimum: 0.8 })
  })

  it('counts in-person sessions bracketed by card taps (持卡参训), and not those left early', () => {
    const inPerson = sessions(7).map((x) => faceCheck(x))
    const taps = (earlyBy: number) =>
      schedule(10)
        .slice(7)
        .flatMap((x) => [
          fact('CardTapRecorded', {
            worker,
            class: cls,
            session: x.session,
            device: 'rdr-1',
            tappedAt: x.start,
            purpose: 'sign_in' as const,
          }),
          fact('CardTapRecorded', {
            worker,
            class: cls,
            session: x.session,
            device: 'rdr-1',
            tappedAt: new Date(Date.parse(x.end) - earlyBy * 60_000).toISOString(),
            purpose: 'sign_out' as const,
          }),
        ])
    const base = [...classRecord(), enrolled(), verified(), ...inPerson, completed(1, true)]
    const [event] = given()
      .when(trainingClaim([...base, ...taps(10)]))
      .events()
    expect(event?.type).toBe('SubsidyClaimSubmitted')
    const [reason] = given()
      .when(trainingClaim([...base, ...taps(40)]))
      .rejects('attendance-minimum')
    expect(reason?.details).toMatchObject({ share: 0.7, minimum: 0.8 })
  })

  it('accepts exactly the minimum share of face-checked sessions', () => {
    const record = [
      ...classRecord(),
      enrolled(),
      verified(),
      ...sessions(8).map((s) => faceCheck(s)),
      completed(0.8, true),
    ]
    expect(given().when(trainingClaim(record)).events()).toHaveLength(1)
  })

  it('refuses face checks it cannot count without the class schedule (attendance-minimum)', () => {
    given()
      .when(trainingClaim(without(fullRecord(), 'ClassOpened')))
      .rejects('attendance-minimum')
  })

  it('refuses a completion that did not pass (completion)', () => {
    given()
      .when(trainingClaim([...without(fullRecord(), 'TrainingCompleted'), completed(1, false)]))
      .rejects('completion')
  })

  it('refuses a class with no completion at all (attendance-minimum, completion)', () => {
    given()
      .when(trainingClaim(without(fullRecord(), 'TrainingCompleted')))
      .rejects('attendance-minimum', 'completion')
  })

  it('refuses a class run outside the claim’s region (claim-region)', () => {
    const record = [
      published(),
      applied({ region: '130202' }),
      reviewed(),
      opened(),
      designated(),
      ...workerRecord(),
    ]
    given().when(trainingClaim(record)).rejects('claim-region')
  })
})

describe('certificates', () => {
  it('accepts a skill-upgrade claim on a skill-level certificate, 12+ months insured (D2)', () => {
    expect(given().when(skillUpgradeClaim(skillUpgradeRecord())).events()).toHaveLength(1)
  })

  it('refuses a skill-upgrade claim naming no certificate (certificate-required)', () => {
    given()
      .when(skillUpgradeClaim(skillUpgradeRecord(), { certificate: undefined }))
      .rejects('certificate-required', 'occupation-known')
  })

  it('refuses a certificate that is not on the record (certificate-required)', () => {
    given()
      .when(skillUpgradeClaim(skillUpgradeRecord(), { certificate: 'cert-unknown' }))
      .rejects('certificate-required', 'occupation-known')
  })

  it('refuses a revoked certificate (certificate-required)', () => {
    const [reason] = given()
      .when(skillUpgradeClaim([...skillUpgradeRecord(), revoked()]))
      .rejects('certificate-required')
    expect(reason?.details).toMatchObject({ reason: 'revoked' })
  })

  it('refuses a certificate kind the rule does not accept (certificate-required)', () => {
    const record = [
      ...skillUpgradeRecord().filter((f) => f.type !== 'CertificateIssued'),
      certificate({ kind: 'occupational_qualification' }),
    ]
    expect(given().when(skillUpgradeClaim(record)).events()).toHaveLength(1)
    const special = [
      ...skillUpgradeRecord().filter((f) => f.type !== 'CertificateIssued'),
      certificate({ kind: 'special_ability', occupationCode: '6-31-01-03', level: 4, itemCode: 'ZX-01' }),
    ]
    const [reason] = given().when(skillUpgradeClaim(special)).rejects('certificate-required')
    expect(reason?.details).toMatchObject({ reason: 'kind' })
  })
})

describe('contribution months (D2: 「累计缴纳失业保险费12个月以上的企业职工」)', () => {
  const base = () => skillUpgradeRecord().filter((f) => f.type !== 'ContributionHistoryAttested')

  it('refuses a worker with no attested contribution history (contribution-months)', () => {
    given().when(skillUpgradeClaim(base())).rejects('contribution-months')
  })

  it('refuses 11 months (contribution-months) and accepts 12', () => {
    given()
      .when(skillUpgradeClaim([...base(), contributions(11)]))
      .rejects('contribution-months')
    expect(
      given()
        .when(skillUpgradeClaim([...base(), contributions(12)]))
        .events(),
    ).toHaveLength(1)
  })

  it('refuses someone insured other than as an enterprise employee (contribution-months)', () => {
    given()
      .when(skillUpgradeClaim([...base(), contributions(30, false)]))
      .rejects('contribution-months')
  })

  it('judges by the latest attestation', () => {
    const record = [...base(), contributions(30, true, '2021-06-01'), contributions(5, true, '2021-01-01')]
    expect(given().when(skillUpgradeClaim(record)).events()).toHaveLength(1)
  })
})
