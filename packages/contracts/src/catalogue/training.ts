import { z } from 'zod'
import { defineEvent, upcaster } from '../definition.ts'
import { attestationRecordSchema, identityMethods } from '../identity-attestation.ts'
import {
  dateSchema,
  entityIdSchema,
  eventIdSchema,
  instantSchema,
  noteSchema,
  occupationCodeSchema,
  positiveFenSchema,
  pseudonymSchema,
  regionCodeSchema,
  ruleSetRefSchema,
  skillLevelSchema,
  subsidyKindSchema,
  uniqueList,
  usccSchema,
} from '../primitives.ts'
import { sealedValueSchema } from '../sealed.ts'
import { populationGroups } from './employment.ts'
import { caseIdSchema } from './oversight.ts'

// The training context: institutions (定点 and 清退), the project catalogue, classes from 开班申请
// to closing, vouchers, enrolment and real-name verification (docs/domain.md §2 steps 0–6).

/** Kinds of provider named in the seeds (docs/domain.md §1.2). */
export const institutionKinds = [
  'vocational_college', // 职业院校
  'technical_school', // 技工院校, 技师学院
  'university', // 普通高校
  'public_training_base', // 公共实训基地, 公共职业培训机构
  'private_provider', // 民办职业培训机构 / 社会培训机构
  'online_platform', // 线上培训平台
  'enterprise', // 企业 (职工培训中心, 新型学徒制, 以工代训)
] as const

export const institutionDesignated = defineEvent({
  type: 'InstitutionDesignated',
  context: 'training',
  category: 'institution',
  key: 'institution',
  summary: 'An institution is designated (定点) to deliver subsidised training.',
  schema: z.strictObject({
    institution: entityIdSchema,
    /** The registered name of the organisation (not a person, so not sealed). */
    legalName: z.string().min(1).max(200),
    uscc: usccSchema,
    region: regionCodeSchema,
    kinds: uniqueList(z.enum(institutionKinds)).min(1),
    effectiveFrom: dateSchema,
  }),
})

/**
 * The sanction an institution's record carries out: the oversight case and the id of its
 * `CaseSanctionDecided` event (the decision stays on the case's stream; the training service,
 * which owns the institution, carries it out, docs/domain.md §4 "Penalties").
 */
export const sanctionCitationSchema = z.strictObject({ case: caseIdSchema, decision: eventIdSchema })

export const institutionDelisted = defineEvent({
  type: 'InstitutionDelisted',
  context: 'training',
  category: 'institution',
  key: 'institution',
  summary: 'An institution is removed from the designated list (清退); it may open no new class.',
  schema: z.strictObject({
    institution: entityIdSchema,
    reason: z.enum([
      'false_training', // 虚假培训
      'fraudulent_claims', // 套取骗取资金
      'inspection_failed', // 年度检查不合格
      'rule_violation', // 违反规定 (D1 「对违反规定的机构立即清退」)
      'withdrawn', // the institution withdrew
      'other',
    ]),
    note: noteSchema.optional(),
    effectiveFrom: dateSchema,
    /** The case and its `CaseSanctionDecided` this delisting carries out, when it comes from one. */
    sanction: sanctionCitationSchema.optional(),
  }),
})

export const institutionSuspended = defineEvent({
  type: 'InstitutionSuspended',
  context: 'training',
  category: 'institution',
  key: 'institution',
  summary:
    'An institution is suspended (暂停补贴性培训资格) from one day to another, carrying out a sanction decided in a case.',
  schema: z
    .strictObject({
      institution: entityIdSchema,
      /** First and last day (China) of the suspension, both included. */
      from: dateSchema,
      to: dateSchema,
      sanction: sanctionCitationSchema,
      note: noteSchema.optional(),
    })
    .refine((s) => s.from <= s.to, { message: 'the suspension ends on or after it starts', path: ['to'] }),
})

export const programmePublished = defineEvent({
  type: 'ProgrammePublished',
  context: 'training',
  category: 'catalogue',
  key: 'region',
  summary: 'A 培训项目目录 entry and its subsidy standard are published for a region.',
  schema: z
    .strictObject({
      programme: entityIdSchema,
      region: regionCodeSchema,
      occupationCode: occupationCodeSchema,
      /** 职业（工种）名称 as printed in the catalogue. */
      occupationTitle: z.string().min(1).max(100),
      level: skillLevelSchema.optional(),
      subsidyKind: subsidyKindSchema,
      /** The standard per person (D2: 「每人最高不超过2200元」 is 220000 fen). */
      amount: positiveFenSchema,
      /** On the 急需紧缺工种目录 (D1/D2: the standard may be raised 10%). */
      shortage: z.boolean(),
      effectiveFrom: dateSchema,
      effectiveTo: dateSchema.optional(),
    })
    .refine((p) => p.effectiveTo === undefined || p.effectiveTo >= p.effectiveFrom, {
      message: 'effectiveTo must not be before effectiveFrom',
      path: ['effectiveTo'],
    }),
})

export const sessionSchema = z
  .strictObject({
    session: entityIdSchema,
    start: instantSchema,
    end: instantSchema,
    /** A place or, for online sessions, the platform. */
    venue: z.string().min(1).max(200),
    mode: z.enum(['offline', 'online']),
  })
  .refine((s) => Date.parse(s.end) > Date.parse(s.start), {
    message: 'end must be after start',
    path: ['end'],
  })

/** A teacher of the class, by 师资库 id; names stay in that registry. */
export const teacherSchema = z.strictObject({
  teacher: entityIdSchema,
  role: z.enum(['theory', 'practice', 'both']),
})

const scheduleSchema = z
  .array(sessionSchema)
  .min(1)
  .max(2000)
  .refine((sessions) => new Set(sessions.map((s) => s.session)).size === sessions.length, {
    message: 'session ids must be unique',
  })
const teacherListSchema = z.array(teacherSchema).min(1).max(200)

const classOpeningAppliedFields = {
  class: entityIdSchema,
  institution: entityIdSchema,
  programme: entityIdSchema,
  region: regionCodeSchema,
  mode: z.enum(['offline', 'online', 'blended']),
  /**
   * D1: public colleges apply directly 「无需履行招投标和专家评审程序」; other providers come
   * through designation.
   */
  route: z.enum(['public_college', 'designated_institution']),
  /** The local (UTC+8) dates of the first and last session. */
  plannedStart: dateSchema,
  plannedEnd: dateSchema,
  /** 学时 (class hours) the programme requires. */
  plannedHours: z.number().positive().max(10_000),
  capacity: z.int().min(1).max(10_000),
}

const plannedInOrder = <T extends { plannedStart: string; plannedEnd: string }>(c: T) =>
  c.plannedEnd >= c.plannedStart

/** Version 1: the application without its schedule and teachers. */
export const classOpeningAppliedV1Schema = z
  .strictObject(classOpeningAppliedFields)
  .refine(plannedInOrder, { message: 'plannedEnd is before plannedStart', path: ['plannedEnd'] })

function classOpeningAppliedShape<S extends z.ZodType, T extends z.ZodType>(sessions: S, teachers: T) {
  return z
    .strictObject({ ...classOpeningAppliedFields, sessions, teachers })
    .refine(plannedInOrder, { message: 'plannedEnd is before plannedStart', path: ['plannedEnd'] })
}

/**
 * 企业新型学徒制 trains in two places, the enterprise and a school: the class of the enterprise
 * names the college, technical school or training institution that is its other training base.
 */
const jointBaseField = { jointBase: entityIdSchema.optional() }

function classOpeningAppliedV3Shape<S extends z.ZodType, T extends z.ZodType>(sessions: S, teachers: T) {
  return z
    .strictObject({ ...classOpeningAppliedFields, sessions, teachers, ...jointBaseField })
    .refine(plannedInOrder, { message: 'plannedEnd is before plannedStart', path: ['plannedEnd'] })
    .refine((c) => c.jointBase === undefined || c.jointBase !== c.institution, {
      message: 'the other training base is another institution than the class’s own',
      path: ['jointBase'],
    })
}

export const classOpeningApplied = defineEvent({
  type: 'ClassOpeningApplied',
  version: 3,
  context: 'training',
  category: 'class',
  key: 'class',
  summary: 'An institution applies to open a class (开班申请) with its schedule, teachers and capacity.',
  // Version 2 adds the proposed schedule and teachers, which the 培训前审核 (D3) reviews. Upcast
  // version 1 history has neither (they are absent, not invented); a new application must carry both.
  // Version 3 adds the optional second training base of an apprenticeship class; earlier history has none.
  schema: classOpeningAppliedV3Shape(scheduleSchema.optional(), teacherListSchema.optional()),
  appendSchema: classOpeningAppliedV3Shape(scheduleSchema, teacherListSchema),
  upcasters: [
    upcaster(1, classOpeningAppliedV1Schema, (data) => data),
    upcaster(
      2,
      classOpeningAppliedShape(scheduleSchema.optional(), teacherListSchema.optional()),
      (data) => data,
    ),
  ],
})

export const reviewerSchema = z.strictObject({
  /** The authority itself, or a 第三方机构 it bought the review from (D0 「政府购买服务」). */
  kind: z.enum(['authority', 'third_party']),
  id: entityIdSchema,
})

export const preTrainingReviewDecided = defineEvent({
  type: 'PreTrainingReviewDecided',
  context: 'training',
  category: 'class',
  key: 'class',
  summary: 'The 培训前审核 of a class application passes or rejects it (D3).',
  schema: z
    .strictObject({
      class: entityIdSchema,
      outcome: z.enum(['passed', 'rejected']),
      reviewer: reviewerSchema,
      reasons: z.array(noteSchema).max(50),
    })
    .refine((r) => r.outcome === 'passed' || r.reasons.length > 0, {
      message: 'a rejection must give its reasons',
      path: ['reasons'],
    }),
})

export const classOpened = defineEvent({
  type: 'ClassOpened',
  context: 'training',
  category: 'class',
  key: 'class',
  summary: 'A class opens with its schedule, teachers and roster (开班).',
  schema: z
    .strictObject({
      class: entityIdSchema,
      institution: entityIdSchema,
      sessions: z.array(sessionSchema).min(1).max(2000),
      /** Teachers by their 师资库 id; their names stay in that registry. */
      teachers: teacherListSchema,
      /**
       * The roster (花名册) at opening. Workers enrolled after opening join it by
       * `RosterEntryAdded`; the trec training service enrols only into opened classes, so its
       * classes open with an empty roster. The roster is this list plus every RosterEntryAdded.
       * (Widened in place from at least one entry: every stored event still reads.)
       */
      roster: uniqueList(pseudonymSchema).max(10_000),
    })
    .refine((c) => new Set(c.sessions.map((s) => s.session)).size === c.sessions.length, {
      message: 'session ids must be unique',
      path: ['sessions'],
    }),
})

export const classClosed = defineEvent({
  type: 'ClassClosed',
  context: 'training',
  category: 'class',
  key: 'class',
  summary: 'A class closes: run to the end, cancelled, or stopped by the authority.',
  schema: z.strictObject({
    class: entityIdSchema,
    reason: z.enum(['completed', 'cancelled', 'stopped_by_authority']),
    note: noteSchema.optional(),
  }),
})

export const rosterEntryAdded = defineEvent({
  type: 'RosterEntryAdded',
  context: 'training',
  category: 'class',
  key: 'class',
  summary: 'A worker joins the class roster (花名册) on enrolment, in the same append as the WorkerEnrolled.',
  schema: z.strictObject({
    class: entityIdSchema,
    worker: pseudonymSchema,
  }),
})

// Voucher mechanics (face values, expiry) are not in the seeds (brief appendix A): the events
// carry what any scheme needs, and the amounts come from the issuing region's rules.
export const voucherIssued = defineEvent({
  type: 'VoucherIssued',
  context: 'training',
  category: 'training',
  key: 'worker',
  summary: 'A 职业培训券/电子培训券 is issued to a worker.',
  schema: z.strictObject({
    voucher: entityIdSchema,
    worker: pseudonymSchema,
    region: regionCodeSchema,
    /** Set when the voucher is for one programme (定向); absent for any catalogue programme. */
    programme: entityIdSchema.optional(),
    value: positiveFenSchema,
    validUntil: instantSchema,
    /** The population group the voucher was issued to (an issue by group), when it was. */
    group: z.enum(populationGroups).optional(),
    /** The rule set whose terms the voucher carries, when the issuer named one. */
    ruleSet: ruleSetRefSchema.optional(),
  }),
})

export const voucherClaimed = defineEvent({
  type: 'VoucherClaimed',
  context: 'training',
  category: 'training',
  key: 'worker',
  summary: 'The worker claims (领取) a voucher issued to them, through the social-security card service.',
  schema: z.strictObject({ voucher: entityIdSchema, worker: pseudonymSchema }),
})

export const voucherRedeemed = defineEvent({
  type: 'VoucherRedeemed',
  context: 'training',
  category: 'training',
  key: 'worker',
  summary: 'A worker redeems a voucher for a place in a class.',
  schema: z.strictObject({
    voucher: entityIdSchema,
    worker: pseudonymSchema,
    class: entityIdSchema,
    institution: entityIdSchema,
    amount: positiveFenSchema,
  }),
})

export const voucherExpired = defineEvent({
  type: 'VoucherExpired',
  context: 'training',
  category: 'training',
  key: 'worker',
  summary: 'A voucher lapses unredeemed.',
  schema: z.strictObject({ voucher: entityIdSchema, worker: pseudonymSchema }),
})

export const workerEnrolled = defineEvent({
  type: 'WorkerEnrolled',
  context: 'training',
  category: 'training',
  key: 'worker',
  summary: 'A worker is enrolled in a class; personal fields are sealed under their data key.',
  schema: z.strictObject({
    worker: pseudonymSchema,
    class: entityIdSchema,
    institution: entityIdSchema,
    voucher: entityIdSchema.optional(),
    name: sealedValueSchema,
    idNumber: sealedValueSchema,
    phone: sealedValueSchema.optional(),
  }),
})

const identityVerifiedFields = {
  worker: pseudonymSchema,
  class: entityIdSchema.optional(),
  /**
   * card_chip: the physical card read on a device; e_card: the 电子社保卡 QR code; face: a face
   * match against the card photo; ssc_platform: a query to the 全国社会保障卡服务平台 (D0, D4).
   */
  method: z.enum(identityMethods),
  /** The answering platform's reference for this check (an attestation's `jti`), so it can be looked up there. */
  platformRef: z.string().min(1).max(128),
  result: z.enum(['verified', 'mismatch', 'not_found']),
  verifiedBy: z.strictObject({
    kind: z.enum(['platform', 'device', 'institution_staff']),
    id: entityIdSchema,
  }),
}

/** Version 1: the check as the institution reported it, with no signed attestation. */
export const identityVerifiedV1Schema = z.strictObject(identityVerifiedFields)

export const identityVerified = defineEvent({
  type: 'IdentityVerified',
  version: 2,
  context: 'training',
  category: 'training',
  key: 'worker',
  summary: 'The worker is checked against the card holder base (实名认证), with where the answer came from.',
  // Version 2 adds the signed attestation the check rests on, when there is one (issuer, key,
  // times, the JWS's hash, target-group facts; docs/identity-attestations.md). Version 1 history
  // has none: it was reported on the institution's word, and reads as such.
  schema: z.strictObject({
    ...identityVerifiedFields,
    attestation: attestationRecordSchema.optional(),
  }),
  upcasters: [upcaster(1, identityVerifiedV1Schema, (data) => data)],
})

export const trainingEvents = [
  institutionDesignated,
  institutionDelisted,
  institutionSuspended,
  programmePublished,
  classOpeningApplied,
  preTrainingReviewDecided,
  classOpened,
  classClosed,
  rosterEntryAdded,
  voucherIssued,
  voucherClaimed,
  voucherRedeemed,
  voucherExpired,
  workerEnrolled,
  identityVerified,
] as const
