import { spec } from '@trec/command/testing'
import { describe, it } from 'vitest'
import type { RecordAssessmentResult } from '../../src/domain/assessment-result.ts'
import { assessmentDecider } from '../../src/domain/decider.ts'
import { classId, passedResult } from '../fixtures.ts'

const record = (overrides: Partial<RecordAssessmentResult> = {}): RecordAssessmentResult => ({
  type: 'RecordAssessmentResult',
  today: '2024-05-21',
  enrolledClasses: [classId],
  ...passedResult,
  ...overrides,
})

describe('assessment results', () => {
  it('records the result as the evaluation body reported it', () => {
    spec(assessmentDecider)
      .given()
      .when(record())
      .then({ type: 'AssessmentResultRecorded', data: passedResult })
  })

  it('records a result with no class and no enrolment', () => {
    const { class: _class, ...data } = passedResult
    spec(assessmentDecider)
      .given()
      .when({ type: 'RecordAssessmentResult', today: '2024-05-21', enrolledClasses: [], ...data })
      .then({ type: 'AssessmentResultRecorded', data })
  })

  it('refuses the same assessment twice', () => {
    spec(assessmentDecider)
      .given({ type: 'AssessmentResultRecorded', data: passedResult })
      .when(record({ score: 90 }))
      .rejects('assessment.once')
  })

  it('refuses a result tied to a class the worker is not enrolled in', () => {
    spec(assessmentDecider)
      .given()
      .when(record({ enrolledClasses: [] }))
      .rejects('assessment.class-enrolment')
  })

  it('refuses an assessment dated after today', () => {
    spec(assessmentDecider)
      .given()
      .when(record({ today: '2024-05-19' }))
      .rejects('assessment.not-future')
  })
})
