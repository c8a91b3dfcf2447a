import { z } from 'zod'
import { defineEvent } from '../definition.ts'
import {
  dateSchema,
  entityIdSchema,
  eventIdSchema,
  noteSchema,
  occupationCodeSchema,
  pseudonymSchema,
  skillLevelSchema,
  uniqueList,
  unitIntervalSchema,
} from '../primitives.ts'

// The assessment context: completion of a training, assessment results and the certificates
// of the lifelong archive (docs/domain.md §2 steps 8–10).

// The word 结业 is not in the seeds (docs/domain.md §2 step 8); completion is implied by 「培训主体完成培训
// 任务后申领」 (D3) and the KPI 培训合格率. The attendance share is computed by the attendance rules
// in force (hours, checks or both); a minimum share is a configurable rule, not a seed fact.
export const trainingCompleted = defineEvent({
  type: 'TrainingCompleted',
  context: 'assessment',
  category: 'assessment',
  key: 'worker',
  summary: 'A worker finishes a class: hours attended against hours required, and whether they passed.',
  schema: z.strictObject({
    worker: pseudonymSchema,
    class: entityIdSchema,
    attendedHours: z.number().min(0).max(10_000),
    requiredHours: z.number().positive().max(10_000),
    attendanceShare: unitIntervalSchema,
    /** The minimum share the completion was judged against (a configurable rule, per region). */
    minimumAttendanceShare: unitIntervalSchema,
    passed: z.boolean(),
    /**
     * The attendance events the share was computed from (passing face checks, counted online
     * segments), so an auditor can recompute it and see that each was in the log before this.
     * Added to version 1 in place: no TrainingCompleted had been stored in production yet.
     */
    evidence: uniqueList(eventIdSchema).max(20_000),
  }),
})

/** Evaluation bodies named in the seeds (docs/domain.md §1.3). */
export const evaluatorKinds = [
  'social_evaluation_org', // 社会培训评价组织
  'employer', // 用人单位（企业）评价机构, 技能人才自主评价企业
  'college_station', // 院校鉴定所（站）
  'authority', // 人社 职业技能鉴定 (职业资格)
  'third_party', // 第三方机构
] as const

export const assessmentResultRecorded = defineEvent({
  type: 'AssessmentResultRecorded',
  context: 'assessment',
  category: 'assessment',
  key: 'worker',
  summary: 'The result of an assessment (鉴定, 等级认定, 专项能力考核) by an evaluation body.',
  schema: z.strictObject({
    worker: pseudonymSchema,
    assessment: entityIdSchema,
    class: entityIdSchema.optional(),
    occupationCode: occupationCodeSchema.optional(),
    level: skillLevelSchema.optional(),
    /** On the evaluator's scale, normally 0–100; absent for pass/fail-only assessments. */
    score: z.number().min(0).max(100).optional(),
    passed: z.boolean(),
    evaluator: z.strictObject({ kind: z.enum(evaluatorKinds), id: entityIdSchema }),
    assessedOn: dateSchema,
  }),
})

/** The five certificate kinds of D3 (二十六). */
export const certificateKinds = [
  'occupational_qualification', // 职业资格证书
  'skill_level', // 职业技能等级证书
  'special_ability', // 专项职业能力证书
  'special_operation', // 特种作业操作证
  'special_equipment', // 特种设备作业人员证
] as const

/** Kinds that certify an occupation of the 职业分类大典 at one of its five levels. */
const levelledKinds = new Set<string>(['occupational_qualification', 'skill_level'])

export const certificateIssued = defineEvent({
  type: 'CertificateIssued',
  context: 'assessment',
  category: 'assessment',
  key: 'worker',
  summary: 'A certificate of one of the five kinds is issued to a worker.',
  schema: z
    .strictObject({
      worker: pseudonymSchema,
      certificate: entityIdSchema,
      kind: z.enum(certificateKinds),
      issuer: z.strictObject({ kind: z.enum(evaluatorKinds), id: entityIdSchema }),
      /** The number printed on the certificate (证书编号). */
      serial: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9-]{0,63}$/),
      occupationCode: occupationCodeSchema.optional(),
      level: skillLevelSchema.optional(),
      /**
       * For kinds outside the levelled scheme: the 专项职业能力 project code, or the 作业类别/
       * 作业项目 code of a special-operation or special-equipment certificate.
       */
      itemCode: z
        .string()
        .regex(/^[A-Za-z0-9][A-Za-z0-9.-]{0,31}$/)
        .optional(),
      issuedOn: dateSchema,
      validUntil: dateSchema.optional(),
      assessment: entityIdSchema.optional(),
    })
    .superRefine((c, ctx) => {
      if (levelledKinds.has(c.kind)) {
        if (c.occupationCode === undefined)
          ctx.addIssue({
            code: 'custom',
            path: ['occupationCode'],
            message: `a ${c.kind} certificate names its occupation`,
          })
        if (c.level === undefined)
          ctx.addIssue({
            code: 'custom',
            path: ['level'],
            message: `a ${c.kind} certificate names its level`,
          })
      } else if (c.itemCode === undefined)
        ctx.addIssue({
          code: 'custom',
          path: ['itemCode'],
          message: `a ${c.kind} certificate names its item`,
        })
      if (c.validUntil !== undefined && c.validUntil < c.issuedOn)
        ctx.addIssue({ code: 'custom', path: ['validUntil'], message: 'validUntil is before issuedOn' })
    }),
})

/**
 * The `certificate-{issuerSerial}` key: the issuer's id and the serial joined by `:`. A serial has
 * no `:`, so the key splits back unambiguously at its last `:`; stream ids are at most 128 long.
 */
export const issuerSerialSchema = z
  .string()
  .max(128)
  .regex(/^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}:[A-Za-z0-9][A-Za-z0-9-]{0,63}$/, 'must be issuer:serial')

// One stream per issuer and serial, created with expected revision no_stream in the same atomic
// append as the CertificateIssued: a serial cannot be issued twice by one issuer, even by two
// racing requests. It also finds the worker a serial belongs to (for revocation).
export const certificateSerialRegistered = defineEvent({
  type: 'CertificateSerialRegistered',
  context: 'assessment',
  category: 'certificate',
  key: 'issuerSerial',
  summary: 'An issuer’s certificate serial is taken, naming the worker and certificate it belongs to.',
  schema: z
    .strictObject({
      issuerSerial: issuerSerialSchema,
      issuer: z.strictObject({ kind: z.enum(evaluatorKinds), id: entityIdSchema }),
      serial: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9-]{0,63}$/),
      worker: pseudonymSchema,
      certificate: entityIdSchema,
      kind: z.enum(certificateKinds),
    })
    .refine((r) => r.issuerSerial === `${r.issuer.id}:${r.serial}`, {
      message: 'must be the issuer id and the serial joined by a colon',
      path: ['issuerSerial'],
    }),
})

export const certificateRevoked = defineEvent({
  type: 'CertificateRevoked',
  context: 'assessment',
  category: 'assessment',
  key: 'worker',
  summary: 'A certificate is revoked; payments that relied on it become suspect.',
  schema: z.strictObject({
    worker: pseudonymSchema,
    certificate: entityIdSchema,
    reason: z.enum(['fraud', 'issued_in_error', 'assessment_voided', 'other']),
    note: noteSchema.optional(),
  }),
})

export const assessmentEvents = [
  trainingCompleted,
  assessmentResultRecorded,
  certificateIssued,
  certificateSerialRegistered,
  certificateRevoked,
] as const
