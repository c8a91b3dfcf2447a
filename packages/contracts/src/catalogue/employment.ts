import { z } from 'zod'
import { defineEvent, upcaster } from '../definition.ts'
import { dateSchema, entityIdSchema, instantSchema, pseudonymSchema } from '../primitives.ts'

// The employment context: facts about a worker that other departments' systems hold and the
// performance KPIs need (docs/domain.md §4 绩效评估, §5.1 数据共享). 就业创业成功率 counts trainees employed or
// self-employed after training, from 就业登记 or 参保 data (D2, D3); plan indicators are counted
// by population group (D0 专栏1, the 13th FYP breakdowns: 企业职工, 农民工, 贫困（脱贫）劳动力, 其他).
// Each fact names the system it came from and that system's reference, so it can be checked there.

export const employmentOutcomes = ['employed', 'self_employed', 'not_employed'] as const

export const employmentSources = [
  'employment_registration', // 就业登记 (就业失业登记, 金保工程)
  'social_insurance', // 参保 (new insured employment)
  'business_registration', // 工商登记 (创业: a business set up)
  'follow_up', // 跟踪回访 by the institution or the authority
] as const

const employmentOutcomeFields = {
  worker: pseudonymSchema,
  /** The class the outcome follows, when the source ties it to one. */
  class: entityIdSchema.optional(),
  outcome: z.enum(employmentOutcomes),
  source: z.enum(employmentSources),
  /** The source system's reference for the record, so it can be looked up there. */
  sourceRef: z.string().min(1).max(128),
  /** When the status held, as the source states it. */
  observedAt: instantSchema,
}

/** Version 1: an outcome without the employer. */
const employmentOutcomeObservedV1Schema = z.strictObject(employmentOutcomeFields)

export const employmentOutcomeObserved = defineEvent({
  type: 'EmploymentOutcomeObserved',
  version: 2,
  context: 'employment',
  category: 'employment',
  key: 'worker',
  summary:
    'A worker’s employment status, as 就业登记, 参保 or another source reports it: after training, or month by month with the employer (以工代训).',
  // Version 2 adds the employer: 以工代训 (D3) is paid to the employer for the months its
  // employment records show; version 1 history names none.
  schema: z.strictObject({
    ...employmentOutcomeFields,
    /** The institution or enterprise (its trec id) that employs the worker, when the source names it. */
    employer: entityIdSchema.optional(),
  }),
  upcasters: [upcaster(1, employmentOutcomeObservedV1Schema, (data) => data)],
})

/**
 * Population groups of the plan indicators (D0 专栏1 and the 13th FYP breakdowns) and the
 * groups D3 asks departments to share data on (教育, 退役军人, 乡村振兴, 残联, 民政).
 */
export const populationGroups = [
  'enterprise_employee', // 企业职工
  'migrant_worker', // 农民工
  'poverty_alleviated', // 贫困（脱贫）劳动力
  'college_graduate', // 高校毕业生
  'veteran', // 退役军人
  'disabled', // 残疾人
  'unemployed', // 失业人员
  'social_assistance', // 低保对象
  'poverty_monitored', // 监测帮扶对象 (D3 以工代训)
  'employment_difficulty', // 就业困难人员 (D3 以工代训 in 参保企业)
  'zero_employment_family', // 零就业家庭成员 (D3 以工代训 in 参保企业)
] as const

export const workerGroupAttested = defineEvent({
  type: 'WorkerGroupAttested',
  context: 'employment',
  category: 'employment',
  key: 'worker',
  summary: 'A department’s system attests that a worker belongs to a population group for a period.',
  // Brief §5.1: 「Each group attribute needs provenance and a validity interval」.
  schema: z
    .strictObject({
      worker: pseudonymSchema,
      group: z.enum(populationGroups),
      source: z.strictObject({ system: entityIdSchema, ref: z.string().min(1).max(128) }),
      validFrom: dateSchema,
      validTo: dateSchema.optional(),
    })
    .refine((g) => g.validTo === undefined || g.validTo >= g.validFrom, {
      message: 'validTo is before validFrom',
      path: ['validTo'],
    }),
})

export const employmentEvents = [employmentOutcomeObserved, workerGroupAttested] as const
