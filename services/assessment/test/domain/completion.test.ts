import { spec } from '@trec/command/testing'
import { describe, expect, it } from 'vitest'
import { assessmentDecider } from '../../src/domain/decider.ts'
import { classId, completeCommand, signIns, worker } from '../fixtures.ts'

const completed = (passed: boolean) => ({
  type: 'TrainingCompleted' as const,
  data: {
    worker,
    class: classId,
    attendedHours: 12,
    requiredHours: 14,
    attendanceShare: 0.8571,
    minimumAttendanceShare: 0.8,
    passed,
    evidence: signIns.map((c) => c.id),
  },
})

describe('completion (结业)', () => {
  it('records the attendance computed from the record, its evidence, and a pass at or above the minimum', () => {
    spec(assessmentDecider).given().when(completeCommand()).then(completed(true))
  })

  it('records a fail below the configured minimum (here 90%)', () => {
    const policy = { ...completeCommand().policy, minimumAttendanceShare: 0.9 }
    const [event] = spec(assessmentDecider).given().when(completeCommand({ policy })).events()
    expect(event).toMatchObject({
      data: { attendanceShare: 0.8571, minimumAttendanceShare: 0.9, passed: false },
    })
  })

  it('refuses a class that has not been opened', () => {
    const classFacts = { ...completeCommand().classFacts, opened: false, sessions: [], closed: undefined }
    spec(assessmentDecider).given().when(completeCommand({ classFacts })).rejects('completion.class-opened')
  })

  it('refuses a worker not enrolled in the class', () => {
    const training = { enrolledClasses: ['cls-other'], identity: 'verified' as const }
    spec(assessmentDecider).given().when(completeCommand({ training })).rejects('completion.enrolled')
  })

  it('refuses a worker whose identity is not verified, or whose latest check was a mismatch', () => {
    for (const identity of ['none', 'mismatch', 'not_found'] as const)
      spec(assessmentDecider)
        .given()
        .when(completeCommand({ training: { enrolledClasses: [classId], identity } }))
        .rejects('completion.identity-verified')
  })

  it('refuses before the last session has ended when the class is still open', () => {
    const classFacts = { ...completeCommand().classFacts, closed: undefined }
    spec(assessmentDecider)
      .given()
      .when(completeCommand({ classFacts, at: '2024-04-12T12:00:00.000Z' }))
      .rejects('completion.class-ended')
    spec(assessmentDecider).given().when(completeCommand({ classFacts })).then(completed(true))
  })

  it('refuses an unclosed class, however late, when the policy asks for the class to be closed', () => {
    const classFacts = { ...completeCommand().classFacts, closed: undefined }
    const policy = { ...completeCommand().policy, completionAfter: 'class_closed' as const }
    spec(assessmentDecider)
      .given()
      .when(completeCommand({ classFacts, policy }))
      .rejects('completion.class-ended')
  })

  it('refuses a class cancelled or stopped by the authority', () => {
    for (const closed of ['cancelled', 'stopped_by_authority'] as const)
      spec(assessmentDecider)
        .given()
        .when(completeCommand({ classFacts: { ...completeCommand().classFacts, closed } }))
        .rejects('completion.class-stopped')
  })

  it('refuses a second completion of the same class, passed or not', () => {
    spec(assessmentDecider).given(completed(false)).when(completeCommand()).rejects('completion.once')
  })

  it('names every failed rule at once', () => {
    spec(assessmentDecider)
      .given(completed(true))
      .when(completeCommand({ training: { enrolledClasses: [], identity: 'none' } }))
      .rejects('completion.enrolled', 'completion.identity-verified', 'completion.once')
  })
})
