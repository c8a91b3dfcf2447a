import { fileURLToPath } from 'node:url'
import type { EventData, EventType } from '@trec/contracts'
import { uuidv7 } from '@trec/core'
import { loadRuleSets } from '../src/app/rule-catalogue.ts'
import type { Fact } from '../src/domain/facts.ts'
import type { RuleSet } from '../src/domain/rule-set.ts'

// A training on the record, built from the contract events the other contexts write: a worker
// trained as an electrician (电工 6-31-01-03) at 四级/中级工 by a designated provider in 石家庄
// (class region 130102), ten sessions, each with a passing face check.

export const worker = '3f9c2a7e5b1d4c6f8a0e2b4d6f8a1c3e'
export const otherWorker = '0b7e4d1a9c2f5e8b3a6d0c9f2e5b8a1d'
export const cls = 'cls-2021-0315'
export const institution = 'inst-130100-0042'
export const enterprise = 'ent-130100-0007'
export const programme = 'prog-130100-2021-0107'
export const electrician = '6-31-01-03'
export const today = '2021-06-15'

export const seedRules = loadRuleSets(fileURLToPath(new URL('../rules', import.meta.url)))
export const sjz = seedRules.find((r) => r.id === 'sjz-2019')!

/** A TEST rule set (not seed data): Harbin with the sjz amounts and the D3 advance. */
export const harbinTest: RuleSet = {
  ...sjz,
  id: 'test-harbin',
  title: 'TEST ONLY: Harbin amounts copied from sjz-2019 to exercise the D3 advance',
  region: '2301',
  advance: { source: 'D3 (二十五)', minShare: 0.5, share: 0.6 },
}

export function fact<T extends EventType>(type: T, data: EventData<T>): Fact<T> {
  return { id: uuidv7(), type, data } as Fact<T>
}

const sealed = {
  sealed: 'A256GCM' as const,
  kid: worker,
  iv: 'k3Jq9xVb0aLmP2sT',
  ct: 'Xw8-9nE1_tq0cYh2Zr6Lb4Vd7Ma3Qs',
}
const hash = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855'

export const sessions = (n: number) => Array.from({ length: n }, (_, i) => `s${i + 1}`)

export const designated = (id = institution, effectiveFrom = '2020-01-01') =>
  fact('InstitutionDesignated', {
    institution: id,
    legalName: '石家庄市长安区新航职业培训学校',
    uscc: '52130100MJ0123456N',
    region: '130102',
    kinds: ['private_provider'],
    effectiveFrom,
  })
export const delisted = (effectiveFrom: string, id = institution) =>
  fact('InstitutionDelisted', { institution: id, reason: 'false_training', effectiveFrom })

export const suspended = (from: string, to: string, id = institution) =>
  fact('InstitutionSuspended', {
    institution: id,
    from,
    to,
    sanction: { case: 'case-130102-0009', decision: '0190a0b1-0000-7000-8000-000000000009' },
  })

export const published = (over: Partial<EventData<'ProgrammePublished'>> = {}) =>
  fact('ProgrammePublished', {
    programme,
    region: '130100',
    occupationCode: electrician,
    occupationTitle: '电工',
    level: 4,
    subsidyKind: 'training',
    amount: 220_000,
    shortage: false,
    effectiveFrom: '2021-01-01',
    ...over,
  })

/** `n` morning sessions from 2021-04-06, one a day. */
export const schedule = (n: number) =>
  sessions(n).map((session, i) => ({
    session,
    start: `2021-04-${String(6 + i).padStart(2, '0')}T08:30:00+08:00`,
    end: `2021-04-${String(6 + i).padStart(2, '0')}T12:00:00+08:00`,
    venue: '长安区建设北大街实训楼',
    mode: 'offline' as const,
  }))

const teachers = [{ teacher: 'tch-0091', role: 'both' as const }]

export const applied = (over: Partial<EventData<'ClassOpeningApplied'>> = {}) =>
  fact('ClassOpeningApplied', {
    class: cls,
    institution,
    programme,
    region: '130102',
    mode: 'offline',
    route: 'designated_institution',
    plannedStart: '2021-04-06',
    plannedEnd: '2021-05-14',
    plannedHours: 80,
    capacity: 40,
    sessions: schedule(10),
    teachers,
    ...over,
  })

export const rosterEntry = (w: string) => fact('RosterEntryAdded', { class: cls, worker: w })

export const reviewed = (outcome: 'passed' | 'rejected' = 'passed') =>
  fact('PreTrainingReviewDecided', {
    class: cls,
    outcome,
    reviewer: { kind: 'third_party', id: 'tp-hebei-007' },
    reasons: outcome === 'passed' ? [] : ['场地不符'],
  })

export const opened = (n = 10, roster: string[] = [worker, otherWorker]) =>
  fact('ClassOpened', {
    class: cls,
    institution,
    sessions: schedule(n),
    teachers,
    roster,
  })

export const enrolled = (w = worker, inst = institution) =>
  fact('WorkerEnrolled', { worker: w, class: cls, institution: inst, name: sealed, idNumber: sealed })

export const verified = (result: 'verified' | 'mismatch' | 'not_found' = 'verified', w = worker) =>
  fact('IdentityVerified', {
    worker: w,
    class: cls,
    method: 'ssc_platform',
    platformRef: 'SSC-20210406-0001',
    result,
    verifiedBy: { kind: 'platform', id: 'ssc-national' },
  })

export const faceCheck = (session: string, result: 'pass' | 'fail' = 'pass', live = true, w = worker) =>
  fact('FaceCheckRecorded', {
    worker: w,
    class: cls,
    session,
    device: 'dev-fc-0031',
    // 签到 three minutes before its session (s1 on 2021-04-06, one a day).
    checkedAt: `2021-04-${String(5 + Number(session.slice(1))).padStart(2, '0')}T08:27:41+08:00`,
    purpose: 'sign_in',
    result,
    matchScore: result === 'pass' ? 0.93 : 0.41,
    liveness: { method: 'silent', score: live ? 0.97 : 0.2, passed: live },
    templateHash: hash,
  })

export const completed = (attendanceShare = 1, passed = true, w = worker) =>
  fact('TrainingCompleted', {
    worker: w,
    class: cls,
    attendedHours: 80 * attendanceShare,
    requiredHours: 80,
    attendanceShare,
    minimumAttendanceShare: 0.8,
    passed,
    evidence: [],
  })

export const certificate = (over: Partial<EventData<'CertificateIssued'>> = {}) =>
  fact('CertificateIssued', {
    worker,
    certificate: 'cert-2021-77120',
    kind: 'skill_level',
    issuer: { kind: 'social_evaluation_org', id: 'eval-130000-0009' },
    serial: 'S000013000009213000123',
    occupationCode: electrician,
    level: 4,
    issuedOn: '2021-05-20',
    ...over,
  })

export const revoked = (id = 'cert-2021-77120') =>
  fact('CertificateRevoked', { worker, certificate: id, reason: 'assessment_voided' })

export const contributions = (months = 27, enterpriseEmployee = true, asOf = '2021-06-01') =>
  fact('ContributionHistoryAttested', {
    worker,
    months,
    asOf,
    enterpriseEmployee,
    source: { system: 'hebei-jinbao', ref: 'SI-Q-20210601-000731' },
  })

/** The class side of the record: catalogue entry, application, review, schedule, provider. */
export const classRecord = (n = 10) => [published(), applied(), reviewed(), opened(n), designated()]

/** The worker side: enrolled, verified, every session face-checked, completed and passed. */
export const workerRecord = (n = 10) => [
  enrolled(),
  verified(),
  ...sessions(n).map((s) => faceCheck(s)),
  completed(1, true),
]

export const fullRecord = (n = 10) => [...classRecord(n), ...workerRecord(n)]
