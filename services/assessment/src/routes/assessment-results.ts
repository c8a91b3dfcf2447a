import { handleCommand } from '@trec/command'
import {
  commandAnswerWith,
  dateSchema,
  entityIdSchema,
  evaluatorKinds,
  occupationCodeSchema,
  pseudonymSchema,
  regionCodeSchema,
  skillLevelSchema,
} from '@trec/contracts'
import { assertRegion, commandEventIds, type Platform, principal } from '@trec/fastify-kit'
import { z } from 'zod'
import { chinaDate } from '../domain/dates.ts'
import { assessmentDecider } from '../domain/decider.ts'
import { trainingFacts } from '../domain/facts.ts'
import type { ResolvedOptions } from '../options.ts'
import { metaFor, readEvents } from './context.ts'
import { bodyListingFor } from './evaluation-bodies.ts'

// POST /v1/assessment-results: an assessor of the region records the result of an assessment
// (鉴定, 职业技能等级认定, 专项职业能力考核) by an evaluation body.

const body = z
  .strictObject({
    worker: pseudonymSchema,
    /** The evaluation body's reference for the assessment; one is assigned when absent. */
    assessment: entityIdSchema.optional(),
    class: entityIdSchema.optional(),
    /** 行政区划代码 where the assessment was held: it scopes the assessor and the event. */
    region: regionCodeSchema,
    occupationCode: occupationCodeSchema,
    /** Absent for 专项职业能力考核, which has no level. */
    level: skillLevelSchema.optional(),
    /** On the evaluator's scale (0–100); absent for pass/fail-only assessments. */
    score: z.number().min(0).max(100).optional(),
    passed: z.boolean(),
    evaluator: z.strictObject({ kind: z.enum(evaluatorKinds), id: entityIdSchema }),
    /** The day of the assessment (CST); today when absent. */
    assessedOn: dateSchema.optional(),
  })
  .meta({ id: 'AssessmentResultRequest' })

const resultAnswer = commandAnswerWith(
  'AssessmentResultAnswer',
  'assessment',
  'asm-130100-2026-0042',
  'The assessment’s reference: the one sent, or the one assigned.',
)

export function assessmentResultRoutes(app: Platform, o: ResolvedOptions): void {
  app.post(
    '/v1/assessment-results',
    {
      config: { auth: { roles: ['assessor'] } },
      schema: {
        summary: 'Record an assessment result',
        operationId: 'recordAssessmentResult',
        description:
          'An assessor of the region where the assessment was held records its result (鉴定, 职业技能等级认定, 专项职业能力考核) for a worker: the occupation, level, score and whether it was passed, and the evaluation body. Under a rule set with listedEvaluationBodiesOnly (national practice) the body must be in force in the 评价机构目录 of the region (or above) on the day assessed. Naming a class links the result to the worker’s enrolment in it. Answers the assessment’s reference.',
        tags: ['assessment'],
        body,
        response: { 201: resultAnswer },
      },
    },
    async (request, reply) => {
      const p = principal(request)
      const b = request.body
      assertRegion(p, b.region)
      const enrolled =
        b.class === undefined
          ? []
          : trainingFacts(await readEvents(o.store, `training-${b.worker}`)).enrolledClasses
      const now = o.clock()
      const assessedOn = b.assessedOn ?? chinaDate(now)
      const bodyListing = await bodyListingFor(o.store, b.region, b.evaluator.id, assessedOn)
      const nextId = commandEventIds(request)
      const assessment = b.assessment ?? nextId()
      const result = await handleCommand(o.store, assessmentDecider, {
        stream: `assessment-${b.worker}`,
        command: {
          type: 'RecordAssessmentResult',
          today: chinaDate(now),
          enrolledClasses: enrolled,
          ...(bodyListing === undefined ? {} : { bodyListing }),
          worker: b.worker,
          assessment,
          ...(b.class === undefined ? {} : { class: b.class }),
          occupationCode: b.occupationCode,
          ...(b.level === undefined ? {} : { level: b.level }),
          ...(b.score === undefined ? {} : { score: b.score }),
          passed: b.passed,
          evaluator: b.evaluator,
          assessedOn,
        },
        meta: metaFor(p, b.region, now),
        nextId,
      })
      return reply.code(201).send({ ids: result.ids, revision: result.append.revision, assessment })
    },
  )
}
