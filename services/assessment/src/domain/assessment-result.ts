import { check } from '@trec/command'
import type { EventData } from '@trec/contracts'
import { rules } from './rules.ts'
import type { AssessmentEvent, AssessmentState } from './state.ts'

// An assessment result (鉴定, 职业技能等级认定, 专项职业能力考核) reported by an evaluation body:
// 「培训结果考核」 (D3); the evaluation system of D0/D4.

export type RecordAssessmentResult = {
  type: 'RecordAssessmentResult'
  /** Today's date (CST) by the service's clock. */
  today: string
  /** Classes the worker is enrolled in, from `training-{worker}` (read only when a class is named). */
  enrolledClasses: readonly string[]
  /**
   * Set when the rule set in force requires listed evaluation bodies: the set, and the evaluator's
   * entries in the 评价机构目录 of the region (and above), with whether one is in force on the day.
   */
  bodyListing?: { ruleSet: { id: string; version: number }; inForce: boolean; entries: readonly string[] }
} & EventData<'AssessmentResultRecorded'>

export function decideAssessmentResult(
  command: RecordAssessmentResult,
  state: AssessmentState,
): AssessmentEvent[] {
  const { type: _type, today, enrolledClasses, bodyListing, ...data } = command
  check(
    state.results.has(data.assessment) && {
      rule: rules.assessmentOnce.id,
      message: `assessment ${data.assessment} is already recorded for this worker`,
      details: { assessment: data.assessment },
    },
    data.class !== undefined &&
      !enrolledClasses.includes(data.class) && {
        rule: rules.assessmentClassEnrolment.id,
        message: `the worker is not enrolled in class ${data.class}`,
        details: { class: data.class },
      },
    data.assessedOn > today && {
      rule: rules.assessmentNotFuture.id,
      message: `assessedOn ${data.assessedOn} is after today (${today})`,
      details: { assessedOn: data.assessedOn, today },
    },
    bodyListing !== undefined &&
      !bodyListing.inForce && {
        rule: rules.assessmentBodyListed.id,
        message: `the evaluation body ${data.evaluator.id} is not in force in the 评价机构目录 on ${data.assessedOn}`,
        ruleSet: bodyListing.ruleSet,
        details: { field: 'evaluator', evaluator: data.evaluator.id, entries: bodyListing.entries },
      },
  )
  return [{ type: 'AssessmentResultRecorded', data }]
}
