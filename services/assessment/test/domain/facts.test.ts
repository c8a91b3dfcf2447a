import type { DomainEvent, EventData } from '@trec/contracts'
import { describe, expect, it } from 'vitest'
import { attendanceFacts, classFacts, trainingFacts } from '../../src/domain/facts.ts'
import { classId, eventId, institution, region, schedule, worker } from '../fixtures.ts'

const sealed = {
  sealed: 'A256GCM' as const,
  kid: 'wk-1',
  iv: 'k3Jq9xVb0aLmP2sT',
  ct: 'Xw8-9nE1_tq0cYh2Zr6Lb4Vd7Ma3Qs',
}
const enrolled = (c: string): DomainEvent => ({
  type: 'WorkerEnrolled',
  data: { worker, class: c, institution, name: sealed, idNumber: sealed },
})
const identity = (result: EventData<'IdentityVerified'>['result'], c?: string): DomainEvent => ({
  type: 'IdentityVerified',
  data: {
    worker,
    ...(c === undefined ? {} : { class: c }),
    method: 'ssc_platform',
    platformRef: 'SSCP-1',
    result,
    verifiedBy: { kind: 'platform', id: 'ssc-national' },
  },
})

describe('facts read from the training context', () => {
  it('takes region and institution from the application, the schedule from the opening, and the closing', () => {
    const sessions = schedule.map((s) => ({ ...s, venue: '实训楼301' }))
    const events: DomainEvent[] = [
      {
        type: 'ClassOpeningApplied',
        data: {
          class: classId,
          institution,
          programme: 'prog-1',
          region,
          mode: 'blended',
          route: 'designated_institution',
          plannedStart: '2024-04-08',
          plannedEnd: '2024-04-12',
          plannedHours: 14,
          capacity: 40,
        },
      },
      {
        type: 'ClassOpened',
        data: {
          class: classId,
          institution,
          sessions,
          teachers: [{ teacher: 't1', role: 'both' }],
          roster: [],
        },
      },
      { type: 'ClassClosed', data: { class: classId, reason: 'completed' } },
    ]
    expect(classFacts(classId, events)).toEqual({
      class: classId,
      region,
      institution,
      opened: true,
      sessions: schedule,
      closed: 'completed',
    })
    expect(classFacts(classId, events.slice(0, 1))).toMatchObject({ opened: false, sessions: [] })
  })

  it('lets the latest identity check for the class (or for no class) decide, so a later mismatch wins', () => {
    expect(trainingFacts([enrolled(classId), identity('verified')], classId)).toEqual({
      enrolledClasses: [classId],
      identity: 'verified',
    })
    expect(trainingFacts([identity('verified', classId), identity('mismatch')], classId).identity).toBe(
      'mismatch',
    )
    expect(trainingFacts([identity('verified', 'cls-other')], classId).identity).toBe('none')
  })
})

describe('facts read from the attendance context', () => {
  it('keeps the class’s face checks (with liveness, even as upcast history has it) and segments, with their ids', () => {
    const check = (n: number, c: string, liveness: EventData<'FaceCheckRecorded'>['liveness']) => ({
      id: eventId(n),
      type: 'FaceCheckRecorded' as const,
      data: {
        worker,
        class: c,
        session: 'ses-01',
        device: 'dev-1',
        checkedAt: '2024-04-08T07:58:00+08:00',
        purpose: 'sign_in' as const,
        result: 'pass' as const,
        matchScore: 0.93,
        liveness,
        templateHash: 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
      },
    })
    const segment = {
      id: eventId(3),
      type: 'OnlineLearningSegmentRecorded' as const,
      data: {
        worker,
        class: classId,
        platform: 'plat-1',
        lesson: 'l-1',
        start: '2024-04-12T19:00:00+08:00',
        end: '2024-04-12T20:00:00+08:00',
        playbackRate: 1,
        clientFingerprint: 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
      },
    }
    const facts = attendanceFacts(
      [
        check(1, classId, { method: 'silent', score: 0.97, passed: true }),
        check(2, classId, { method: 'unknown', score: null, passed: false }),
        check(4, 'cls-other', { method: 'silent', score: 0.97, passed: true }),
        segment,
      ],
      classId,
    )
    expect(facts.faceChecks.map((c) => [c.id, c.livenessPassed])).toEqual([
      [eventId(1), true],
      [eventId(2), false],
    ])
    expect(facts.segments).toEqual([
      { id: eventId(3), start: segment.data.start, end: segment.data.end, playbackRate: 1 },
    ])
  })
})
