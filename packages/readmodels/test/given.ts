import type { EventData, EventType } from '@trec/contracts'
import type { Fact } from '../src/events.ts'

// Given/then helpers: events as a fold reads them, positions and times set by the test.

let counter = 0

export const worker = '3f9c2a7e5b1d4c6f8a0e2b4d6f8a1c3e'
export const otherWorker = '0b7e4d1a9c2f5e8b3a6d0c9f2e5b8a1d'
export const cls = 'cls-2021-0315'
export const institution = 'inst-130100-0042'
export const programme = 'prog-130100-2021-0107'

/** An id that reads as its position, e.g. `00000000-0000-4000-8000-000000000007`. */
const idOf = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`

export function fact<T extends EventType>(
  type: T,
  data: EventData<T>,
  at: { position?: number; occurredAt?: string; recordedAt?: string; region?: string } = {},
): Fact<T> {
  const position = at.position ?? ++counter
  const occurredAt = at.occurredAt ?? '2021-05-01T09:00:00+08:00'
  return {
    id: idOf(position),
    type,
    position: BigInt(position),
    occurredAt,
    recordedAt: at.recordedAt ?? new Date(Date.parse(occurredAt) + 1000).toISOString(),
    region: at.region ?? '130102',
    data,
  } as Fact<T>
}

export const sealed = {
  sealed: 'A256GCM' as const,
  kid: worker,
  iv: 'k3Jq9xVb0aLmP2sT',
  ct: 'Xw8-9nE1_tq0cYh2Zr6Lb4Vd7Ma3Qs',
}
const templateHash = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855'

export const references = (p = 1) => [
  fact(
    'InstitutionDesignated',
    {
      institution,
      legalName: '石家庄市长安区新航职业培训学校',
      uscc: '52130100MJ0123456N',
      region: '130102',
      kinds: ['private_provider'],
      effectiveFrom: '2020-01-01',
    },
    { position: p },
  ),
  fact(
    'ProgrammePublished',
    {
      programme,
      region: '130100',
      occupationCode: '6-31-01-03',
      occupationTitle: '电工',
      level: 4,
      subsidyKind: 'training',
      amount: 220_000,
      shortage: false,
      effectiveFrom: '2021-01-01',
    },
    { position: p + 1 },
  ),
  fact(
    'ClassOpeningApplied',
    {
      class: cls,
      institution,
      programme,
      region: '130102',
      mode: 'offline',
      route: 'designated_institution',
      plannedStart: '2021-04-06',
      plannedEnd: '2021-04-09',
      plannedHours: 80,
      capacity: 40,
    },
    { position: p + 2 },
  ),
  fact(
    'ClassOpened',
    {
      class: cls,
      institution,
      sessions: ['s1', 's2'].map((session, i) => ({
        session,
        start: `2021-04-0${6 + i}T08:30:00+08:00`,
        end: `2021-04-0${6 + i}T12:00:00+08:00`,
        venue: '实训楼',
        mode: 'offline' as const,
      })),
      teachers: [{ teacher: 'tch-1', role: 'both' }],
      roster: [],
    },
    { position: p + 3 },
  ),
]

export const verified = (position: number, result: 'verified' | 'mismatch' = 'verified', w = worker) =>
  fact(
    'IdentityVerified',
    {
      worker: w,
      class: cls,
      method: 'ssc_platform',
      platformRef: 'SSC-1',
      result,
      verifiedBy: { kind: 'platform', id: 'ssc' },
    },
    { position },
  )
export const enrolled = (position: number, w = worker) =>
  fact(
    'WorkerEnrolled',
    { worker: w, class: cls, institution, name: sealed, idNumber: sealed },
    { position, occurredAt: '2021-04-02T09:00:00+08:00' },
  )
export const faceCheck = (position: number, session: string, result: 'pass' | 'fail' = 'pass') =>
  fact(
    'FaceCheckRecorded',
    {
      worker,
      class: cls,
      session,
      device: 'dev-1',
      checkedAt: `2021-04-0${5 + Number(session.slice(1))}T08:27:41+08:00`,
      purpose: 'sign_in',
      result,
      matchScore: 0.9,
      liveness: { method: 'silent', score: 0.97, passed: true },
      templateHash,
    },
    { position },
  )
export const completed = (
  position: number,
  share = 1,
  passed = true,
  at = '2021-04-20T17:00:00+08:00',
  recordedAt?: string,
) =>
  fact(
    'TrainingCompleted',
    {
      worker,
      class: cls,
      attendedHours: 80 * share,
      requiredHours: 80,
      attendanceShare: share,
      minimumAttendanceShare: 0.8,
      passed,
      evidence: [],
    },
    { position, occurredAt: at, ...(recordedAt ? { recordedAt } : {}) },
  )
export const certificate = (position: number, over: Partial<EventData<'CertificateIssued'>> = {}) =>
  fact(
    'CertificateIssued',
    {
      worker,
      certificate: 'cert-1',
      kind: 'skill_level',
      issuer: { kind: 'social_evaluation_org', id: 'eval-1' },
      serial: 'S0001',
      occupationCode: '6-31-01-03',
      level: 4,
      issuedOn: '2021-04-25',
      ...over,
    },
    { position },
  )
export const claimed = (position: number, over: Partial<EventData<'SubsidyClaimSubmitted'>> = {}) =>
  fact(
    'SubsidyClaimSubmitted',
    {
      claim: 'clm-1',
      worker,
      region: '130102',
      kind: 'training',
      payee: { kind: 'provider', id: institution },
      amount: 220_000,
      class: cls,
      claimedOn: '2021-05-01',
      ruleSet: { id: 'test-sjz', version: 1 },
      ...over,
    },
    { position },
  )
export const decided = (position: number, outcome: 'approved' | 'rejected' = 'approved', claim = 'clm-1') =>
  fact(
    'SubsidyClaimDecided',
    outcome === 'approved'
      ? {
          claim,
          worker,
          outcome,
          approvedAmount: 220_000,
          reasons: [],
          ruleSet: { id: 'test-sjz', version: 1 },
        }
      : { claim, worker, outcome, reasons: ['不符合'], ruleSet: { id: 'test-sjz', version: 1 } },
    { position },
  )
export const paid = (
  position: number,
  evidence: string[],
  over: Partial<EventData<'SubsidyPaid'>> = {},
  occurredAt = '2021-06-15T10:00:00+08:00',
) =>
  fact(
    'SubsidyPaid',
    {
      claim: 'clm-1',
      worker,
      amount: 220_000,
      payee: { kind: 'provider', id: institution },
      evidence,
      ruleSet: { id: 'test-sjz', version: 1 },
      paymentRef: `PAY-${position}`,
      ...over,
    },
    { position, occurredAt },
  )
