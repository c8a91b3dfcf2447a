import { describe, expect, it } from 'vitest'
import { type EventType, eventDefinitions, eventTypes } from '../src/index.ts'
import { examples, sealed, worker } from './fixtures.ts'

// Every event schema, table-driven: the realistic example is accepted as it stands; an unknown
// field is refused; each field given a value of the wrong type is refused with its own path.

function wrongTypeFor(value: unknown): unknown {
  if (typeof value === 'string') return 42
  if (typeof value === 'number') return '42'
  if (typeof value === 'boolean') return 'true'
  if (Array.isArray(value)) return 'not-a-list'
  return 'not-an-object'
}

function parse(type: EventType, data: unknown, mode: 'schema' | 'appendSchema' = 'appendSchema') {
  return eventDefinitions[type][mode].safeParse(data)
}

function pathsOf(result: ReturnType<typeof parse>): string[] {
  return result.success ? [] : result.error.issues.map((i) => i.path.join('.'))
}

describe.each(eventTypes.map((type) => [type]))('%s', (type) => {
  const example = examples[type] as Record<string, unknown>

  it('accepts the realistic example, unchanged', () => {
    const result = parse(type, example)
    expect(result.error?.issues).toBeUndefined()
    expect(result.data).toEqual(example)
    expect(parse(type, example, 'schema').success).toBe(true)
  })

  it('refuses an unknown field', () => {
    const result = parse(type, { ...example, surprise: 1 })
    expect(result.success).toBe(false)
    expect(result.error?.issues.some((i) => i.code === 'unrecognized_keys')).toBe(true)
  })

  it.each(Object.keys(example).map((field) => [field]))('refuses %s of the wrong type', (field) => {
    const result = parse(type, { ...example, [field]: wrongTypeFor(example[field]) })
    expect(result.success).toBe(false)
    expect(pathsOf(result)).toContain(field)
  })

  it('refuses data that is not an object', () => {
    for (const data of [null, [], 'x', 1]) expect(parse(type, data).success).toBe(false)
  })
})

// Rules inside single events, each a case that must be refused, with the path it must name.
const refusals: [string, EventType, Record<string, unknown>, string][] = [
  ['a USCC whose check character is wrong', 'InstitutionDesignated', { uscc: '52130100MJ0123456P' }, 'uscc'],
  [
    'a USCC with a letter outside GB 32100 (O)',
    'InstitutionDesignated',
    { uscc: '52130100MJ0O23456N' },
    'uscc',
  ],
  ['a region code of no province (99)', 'InstitutionDesignated', { region: '990100' }, 'region'],
  ['no institution kinds', 'InstitutionDesignated', { kinds: [] }, 'kinds'],
  ['a repeated institution kind', 'InstitutionDesignated', { kinds: ['enterprise', 'enterprise'] }, 'kinds'],
  ['an amount in yuan with decimals', 'ProgrammePublished', { amount: 2500.5 }, 'amount'],
  ['a level above 一级 (0)', 'ProgrammePublished', { level: 0 }, 'level'],
  ['a level below 五级 (6)', 'ProgrammePublished', { level: 6 }, 'level'],
  [
    'an occupation code not in 大典 form',
    'ProgrammePublished',
    { occupationCode: '6310103' },
    'occupationCode',
  ],
  ['an entry that ends before it starts', 'ProgrammePublished', { effectiveTo: '2023-12-31' }, 'effectiveTo'],
  ['a class that ends before it starts', 'ClassOpeningApplied', { plannedEnd: '2024-04-01' }, 'plannedEnd'],
  [
    'a rejection without reasons',
    'PreTrainingReviewDecided',
    { outcome: 'rejected', reasons: [] },
    'reasons',
  ],
  ['a roster that names a worker twice', 'ClassOpened', { roster: [worker, worker] }, 'roster'],
  ['a roster entry that is not a pseudonym', 'ClassOpened', { roster: ['130102199003071234'] }, 'roster.0'],
  [
    'a session that ends before it starts',
    'ClassOpened',
    {
      sessions: [
        {
          session: 's',
          start: '2024-04-08T11:00:00+08:00',
          end: '2024-04-08T08:00:00+08:00',
          venue: 'v',
          mode: 'offline',
        },
      ],
    },
    'sessions.0.end',
  ],
  [
    'a session time without offset',
    'ClassOpened',
    {
      sessions: [
        {
          session: 's',
          start: '2024-04-08T08:00:00',
          end: '2024-04-08T11:00:00+08:00',
          venue: 'v',
          mode: 'offline',
        },
      ],
    },
    'sessions.0.start',
  ],
  ['a plaintext name', 'WorkerEnrolled', { name: '张三' }, 'name'],
  [
    'a sealed value of another algorithm',
    'WorkerEnrolled',
    { idNumber: { ...sealed(), sealed: 'A128GCM' } },
    'idNumber.sealed',
  ],
  ['a worker that is a card number', 'WorkerEnrolled', { worker: '130102199003071234' }, 'worker'],
  ['an unknown verification method', 'IdentityVerified', { method: 'sms' }, 'method'],
  ['a match score above 1', 'FaceCheckRecorded', { matchScore: 1.2 }, 'matchScore'],
  ['a match score as a percentage', 'FaceCheckRecorded', { matchScore: 93 }, 'matchScore'],
  ['a template hash that is not SHA-256 hex', 'FaceCheckRecorded', { templateHash: 'abc' }, 'templateHash'],
  ['a latitude beyond the pole', 'FaceCheckRecorded', { place: { lat: 91, lon: 114.5 } }, 'place.lat'],
  ['an image in place of a hash', 'FaceCheckRecorded', { image: 'data:image/jpeg;base64,/9j/4AAQ' }, ''],
  [
    'a segment that ends before it starts',
    'OnlineLearningSegmentRecorded',
    { end: '2024-04-10T19:00:00+08:00' },
    'end',
  ],
  ['a playback rate of zero', 'OnlineLearningSegmentRecorded', { playbackRate: 0 }, 'playbackRate'],
  [
    'a device key with its private part',
    'DeviceRegistered',
    { publicKey: { kty: 'OKP', crv: 'Ed25519', x: '11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo', d: 'x' } },
    'publicKey',
  ],
  [
    'an RSA device key',
    'DeviceRegistered',
    { publicKey: { kty: 'RSA', n: 'AQAB', e: 'AQAB' } },
    'publicKey.kty',
  ],
  ['ES256 named for an Ed25519 key', 'DeviceRegistered', { algorithm: 'ES256' }, 'algorithm'],
  ['a key coordinate that is not 32 bytes', 'DeviceRegistered', { keyThumbprint: 'abc' }, 'keyThumbprint'],
  ['an attendance share above 1', 'TrainingCompleted', { attendanceShare: 1.05 }, 'attendanceShare'],
  ['completion evidence that is not an event id', 'TrainingCompleted', { evidence: ['fc-1'] }, 'evidence.0'],
  [
    'a serial key that is not issuer:serial',
    'CertificateSerialRegistered',
    { issuerSerial: 'eval-130000-0010:S000013000009243000123' },
    'issuerSerial',
  ],
  ['an unknown certificate kind', 'CertificateIssued', { kind: 'training_pass' }, 'kind'],
  ['a skill-level certificate without a level', 'CertificateIssued', { level: undefined }, 'level'],
  [
    'a special-operation certificate without its item',
    'CertificateIssued',
    { kind: 'special_operation' },
    'itemCode',
  ],
  [
    'a certificate valid until before it was issued',
    'CertificateIssued',
    { validUntil: '2024-01-01' },
    'validUntil',
  ],
  ['an unknown subsidy kind', 'SubsidyClaimSubmitted', { kind: 'bonus' }, 'kind'],
  [
    'a worker payee who is someone else',
    'SubsidyClaimSubmitted',
    { payee: { kind: 'worker', id: 'x1' } },
    'payee.id',
  ],
  ['a negative amount', 'SubsidyClaimSubmitted', { amount: -100 }, 'amount'],
  ['an approval without an amount', 'SubsidyClaimReviewed', { approvedAmount: undefined }, 'approvedAmount'],
  [
    'a rejection with an amount',
    'SubsidyClaimReviewed',
    { outcome: 'rejected', reasons: ['材料不全'] },
    'approvedAmount',
  ],
  ['a payment to a worker with no account', 'SubsidyPaid', { account: undefined }, 'account'],
  [
    'a plaintext bank account',
    'SubsidyPaid',
    { account: { kind: 'bank_card', bankAccount: '6222020200112233445' } },
    'account.bankAccount',
  ],
  ['a payment with no evidence', 'SubsidyPaid', { evidence: [] }, 'evidence'],
  ['evidence that is not an event id', 'SubsidyPaid', { evidence: ['enrolment'] }, 'evidence.0'],
  [
    'a payment without its rule-set version',
    'SubsidyPaid',
    { ruleSet: { id: 'sjz-skill-upgrade' } },
    'ruleSet.version',
  ],
  ['an advance below half (D3)', 'AdvancePaid', { share: 0.4, amount: 4_000_000 }, 'share'],
  ['an advance amount that is not total × share', 'AdvancePaid', { amount: 5_000_000 }, 'amount'],
  ['an unknown clawback reason', 'SubsidyClawedBack', { reason: 'mood' }, 'reason'],
  ['a claim without the day it was made', 'SubsidyClaimSubmitted', { claimedOn: undefined }, 'claimedOn'],
  [
    'a decided approval without an amount',
    'SubsidyClaimDecided',
    { approvedAmount: undefined },
    'approvedAmount',
  ],
  [
    'a decided rejection without reasons',
    'SubsidyClaimDecided',
    { outcome: 'rejected', approvedAmount: undefined },
    'reasons',
  ],
  ['negative contribution months', 'ContributionHistoryAttested', { months: -1 }, 'months'],
  ['an advance applied for nothing', 'AdvanceApplied', { amount: 0 }, 'amount'],
]

describe('event rules', () => {
  it.each(refusals)('refuses %s', (_, type, change, path) => {
    const result = parse(type, { ...examples[type], ...change })
    expect(result.success).toBe(false)
    expect(pathsOf(result)).toContain(path)
  })

  it('accepts an advance of more than half, computed to the fen', () => {
    expect(
      parse('AdvancePaid', { ...examples.AdvancePaid, subsidyTotal: 333_333, share: 0.55, amount: 183_333 })
        .success,
    ).toBe(true)
  })

  it('accepts a special-operation certificate that names its item and no level', () => {
    const { level: _, occupationCode: __, ...rest } = examples.CertificateIssued
    expect(
      parse('CertificateIssued', {
        ...rest,
        kind: 'special_operation',
        itemCode: 'DG-01',
        validUntil: '2030-06-02',
      }).success,
    ).toBe(true)
  })

  it('accepts a payment to a provider without a sealed account', () => {
    const { account: _, ...rest } = examples.SubsidyPaid
    expect(
      parse('SubsidyPaid', { ...rest, payee: { kind: 'provider', id: 'inst-130100-0042' } }).success,
    ).toBe(true)
  })

  it('accepts an instant in UTC (Z is an offset)', () => {
    expect(
      parse('FaceCheckRecorded', { ...examples.FaceCheckRecorded, checkedAt: '2024-04-08T00:27:41Z' })
        .success,
    ).toBe(true)
  })
})

describe('FaceCheckRecorded liveness', () => {
  const unknownLiveness = { method: 'unknown', score: null, passed: true }

  it('is refused as "unknown" in a new event: only upcast history may lack the method', () => {
    const result = parse('FaceCheckRecorded', { ...examples.FaceCheckRecorded, liveness: unknownLiveness })
    expect(result.success).toBe(false)
    expect(pathsOf(result).some((p) => p.startsWith('liveness'))).toBe(true)
  })

  it('is read back as "unknown" with a null score', () => {
    expect(
      parse('FaceCheckRecorded', { ...examples.FaceCheckRecorded, liveness: unknownLiveness }, 'schema')
        .success,
    ).toBe(true)
  })

  it('has a score whenever the method is known, and none when it is not', () => {
    const noScore = {
      ...examples.FaceCheckRecorded,
      liveness: { method: 'silent', score: null, passed: true },
    }
    const scored = {
      ...examples.FaceCheckRecorded,
      liveness: { method: 'unknown', score: 0.9, passed: true },
    }
    expect(parse('FaceCheckRecorded', noScore, 'schema').success).toBe(false)
    expect(parse('FaceCheckRecorded', scored, 'schema').success).toBe(false)
  })
})
