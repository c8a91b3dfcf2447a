import type { EventData } from '@trec/contracts'
import type { CompleteTraining } from '../src/domain/completion.ts'
import type { ScheduledSession } from '../src/domain/facts.ts'

// A class of a private provider in 石家庄 (130102): four offline sessions of 3 h and one online
// session of 2 h (14 h in all), for an electrician (电工, 6-31-01-03) at 四级.

export const worker = '3f9c2a7e5b1d4c6f8a0e2b4d6f8a1c3e'
export const otherWorker = '0b7e4d1a9c2f5e8b3a6d0c9f2e5b8a1d'
export const classId = 'cls-2024-0315'
export const institution = 'inst-130100-0042'
export const region = '130102'
export const occupation = '6-31-01-03'

const day = (n: number, from: string, to: string) => {
  const d = String(n).padStart(2, '0')
  return [`2024-04-${d}T${from}:00+08:00`, `2024-04-${d}T${to}:00+08:00`]
}

function session(
  id: string,
  [start, end]: string[],
  mode: 'offline' | 'online' = 'offline',
): ScheduledSession {
  return { session: id, start: start!, end: end!, mode }
}

export const schedule: ScheduledSession[] = [
  session('ses-01', day(8, '08:00', '11:00')),
  session('ses-02', day(9, '08:00', '11:00')),
  session('ses-03', day(10, '08:00', '11:00')),
  session('ses-04', day(11, '08:00', '11:00')),
  session('ses-05', day(12, '19:00', '21:00'), 'online'),
]

/** Event ids as the store would give them (UUIDs), one per face check or segment. */
export const eventId = (n: number) => `0190f3a1-7c2e-7a4b-8c3d-${n.toString(16).padStart(12, '0')}`

export function passingCheck(n: number, sessionId: string, checkedAt: string) {
  return { id: eventId(n), session: sessionId, checkedAt, result: 'pass' as const, livenessPassed: true }
}

/** A passing sign-in five minutes before each offline session's start. */
export const signIns = schedule
  .filter((s) => s.mode === 'offline')
  .map((s, i) => passingCheck(i + 1, s.session, new Date(Date.parse(s.start) - 5 * 60_000).toISOString()))

export function completeCommand(overrides: Partial<CompleteTraining> = {}): CompleteTraining {
  return {
    type: 'CompleteTraining',
    worker,
    class: classId,
    at: '2024-04-15T09:00:00.000Z',
    classFacts: {
      class: classId,
      region,
      institution,
      opened: true,
      sessions: schedule,
      closed: 'completed',
    },
    training: { enrolledClasses: [classId], identity: 'verified' },
    attendance: { faceChecks: signIns, segments: [], taps: [] },
    policy: {
      minimumAttendanceShare: 0.8,
      completionAfter: 'last_session_ended',
      graceMinutes: 15,
      maxPlaybackRate: 1,
      checksPerHour: 2,
    },
    ...overrides,
  }
}

export const passedResult: EventData<'AssessmentResultRecorded'> = {
  worker,
  assessment: 'asm-2024-0520-17',
  class: classId,
  occupationCode: occupation,
  level: 4,
  score: 82.5,
  passed: true,
  evaluator: { kind: 'social_evaluation_org', id: 'eval-130000-0009' },
  assessedOn: '2024-05-20',
}

export const skillLevelCertificate: EventData<'CertificateIssued'> = {
  worker,
  certificate: 'cert-2024-77120',
  kind: 'skill_level',
  issuer: { kind: 'social_evaluation_org', id: 'eval-130000-0009' },
  serial: 'S000013000009243000123',
  occupationCode: occupation,
  level: 4,
  issuedOn: '2024-06-03',
}
