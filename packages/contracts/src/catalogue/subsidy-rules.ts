import { z } from 'zod'
import { defineEvent, upcaster } from '../definition.ts'
import {
  dateSchema,
  entityIdSchema,
  noteSchema,
  positiveFenSchema,
  subsidyKinds,
  underPrefix,
  uniqueList,
} from '../primitives.ts'
import { certificateKinds } from './assessment.ts'
import { employmentSources, populationGroups } from './employment.ts'
import { integrityGrades } from './oversight.ts'

// Subsidy rule sets as events (docs/architecture.md, "Rules come from data, with versions"): an
// officer of a region publishes a set, amends it as a new version effective from a date, and
// withdraws it. All the sets of one province-level division live in one stream,
// `rulebook-{province}`, so what was in force anywhere in it on a day is one stream read, and
// two officers publishing overlapping sets at once are serialised by the stream's revision.
//
// A set covers one 行政区划代码 prefix (2 digits a province, 4 a city, 6 a county) for a period;
// every decision records the `{ id, version }` it was made under. Each section names its source:
// a seed document (D0–D4), or NOT IN SEEDS for national practice or a figure the region sets.

export const payeeKinds = ['worker', 'provider', 'enterprise'] as const
const levelKey = z.enum(['1', '2', '3', '4', '5'])
const citation = z.string().min(1).max(1000)
/** A share of something, above zero and at most all of it. */
const share = z.number().gt(0).max(1)

/** How a kind's amount is set: a per-person ceiling (D2 「每人最高不超过」) or a fixed sum per level. */
export const ruleAmountSchema = z.discriminatedUnion('basis', [
  z.strictObject({
    basis: z.literal('cap'),
    /** Fen; a ceiling of zero would refuse every claim, so it is at least one fen. */
    perPerson: positiveFenSchema,
    /** The ceiling for occupations on the shortage list (D2: ¥2,500 against ¥2,200). */
    shortagePerPerson: positiveFenSchema.optional(),
  }),
  z.strictObject({
    basis: z.literal('level'),
    /** Fen per certificate or training level (5 = 初级工 … 1 = 高级技师). */
    byLevel: z.partialRecord(levelKey, positiveFenSchema).refine((l) => Object.keys(l).length > 0, {
      message: 'names the amount of at least one level',
    }),
    /** Uplift for occupations on the shortage list, as a fraction (D2: 「可提高10%」 is 0.1). */
    shortageUplift: z.number().min(0).max(1).optional(),
  }),
  z.strictObject({
    basis: z.literal('monthly'),
    /**
     * Fen per person per month the employer's records show (以工代训, D3 「给予一定期限的培训补贴」:
     * the seeds give neither the sum nor the period; both are set by the region).
     */
    perMonth: positiveFenSchema,
    /** The most months paid for one person (the 「一定期限」). */
    maxMonths: z.int().min(1).max(60),
  }),
])

/** Which evidence in the record a payment of this kind needs (the 不进不补 chain). */
const requiresSchema = z.strictObject({
  enrolment: z.boolean(),
  attendance: z.boolean(),
  completion: z.boolean(),
  certificate: z.boolean(),
})

const kindRuleShape = z.strictObject({
  source: citation,
  payees: z.array(z.enum(payeeKinds)).min(1),
  amount: ruleAmountSchema,
  requires: requiresSchema,
  /** The certificate kinds that qualify; any kind when absent. */
  certificateKinds: z.array(z.enum(certificateKinds)).min(1).optional(),
  /** D2: 技能提升补贴 needs 「累计缴纳失业保险费12个月以上的企业职工」. */
  contribution: z.strictObject({ minMonths: z.int().min(1), enterpriseEmployee: z.boolean() }).optional(),
  /**
   * A yearly cap per person and kind: at most this many claims of the kind per person per
   * calendar year (D2: 新型学徒制 「每人每年」 is 1; for other kinds NOT IN SEEDS, set by the region).
   */
  perPersonPerYear: z.int().min(1).optional(),
  /**
   * Who the kind is for: the target groups (D0/D3/D4 name 农村转移劳动力/农民工, 失业人员, 脱贫劳动力,
   * 高校毕业生, 企业职工 …) and, for each, the evidence that shows membership: a
   * `WorkerGroupAttested` from a department's system, valid on the day of the claim, from one of
   * `systems` when the set names them. Any worker when absent.
   */
  groups: z
    .strictObject({
      source: citation,
      accepted: z
        .array(
          z.strictObject({
            group: z.enum(populationGroups),
            /** What shows membership, in words (e.g. 「就业失业登记」 for 失业人员). */
            evidence: z.string().min(1).max(500),
            /** The attesting systems whose word is taken; any attesting system when absent. */
            systems: z.array(entityIdSchema).min(1).optional(),
          }),
        )
        .min(1)
        .refine((a) => new Set(a.map((g) => g.group)).size === a.length, {
          message: 'names each group once',
        }),
    })
    .optional(),
  /**
   * 项目制培训 (government buys the training): the class must run a programme the authority
   * published in its catalogue for this kind (the project bought), whose amount is the price per
   * person.
   */
  programmeOfKind: z.boolean().optional(),
  /**
   * 企业新型学徒制: the enterprise and a school train together, so the class names its other
   * training base (a designated college, technical school or training institution).
   */
  jointBase: z.boolean().optional(),
  /**
   * D1 「由企业所在地政府按规定拨付培训补贴」: the region the claim is made to is the one where the
   * enterprise paid is registered.
   */
  enterpriseRegion: z.boolean().optional(),
  /**
   * 以工代训 (D3): the months paid for are those the employer's employment records (就业登记, 参保)
   * show the worker employed by the payee since the training began. Needs the `monthly` basis.
   */
  employment: z.strictObject({ sources: uniqueList(z.enum(employmentSources)).min(1) }).optional(),
})

export const kindRuleSchema = kindRuleShape.refine(
  (r) => (r.amount.basis === 'monthly') === (r.employment !== undefined),
  {
    message:
      'a monthly amount is paid for the months of employment records, so it needs `employment`, and only it',
    path: ['employment'],
  },
)

const kindsSchema = z.strictObject(
  Object.fromEntries(subsidyKinds.map((k) => [k, kindRuleSchema.optional()])) as Record<
    (typeof subsidyKinds)[number],
    z.ZodOptional<typeof kindRuleSchema>
  >,
)

/**
 * National practice that no seed states. Each rule is off when absent, so a region that does not
 * follow it leaves it out.
 */
export const practiceSchema = z.strictObject({
  source: citation,
  /** 同一职业（工种）同一等级只能享受一次, across the listed kinds. */
  oncePerOccupationLevel: z.strictObject({ kinds: z.array(z.enum(subsidyKinds)).min(1) }).optional(),
  /** At most `max` claims a person a calendar year across the listed kinds (3 in several rules; some 1 or 2). */
  yearlyCap: z.strictObject({ max: z.int().min(1), kinds: z.array(z.enum(subsidyKinds)).min(1) }).optional(),
  /** No subsidy for a lower level of an occupation once a higher certificate of it is held. */
  noLowerLevelAfterHigher: z.boolean().optional(),
  /** Smallest share of the class attended (e.g. 0.8). */
  minAttendanceShare: share.optional(),
  /** Also count the sessions with a passing face check, not only the completion's share. */
  countFaceChecks: z.boolean().optional(),
  /**
   * Passing face checks an online platform takes per hour of learning for the learning to count
   * (NOT IN SEEDS: D0/D1 name 人脸识别 for online training, not how often; platforms check at
   * random about twice an hour). Absent: the reading's default.
   */
  onlineFaceChecksPerHour: z.int().min(1).max(60).optional(),
  /**
   * Minutes after a session's start a 签到 card tap still counts it attended (持卡参训; NOT IN SEEDS:
   * the seeds do not say how late is late). Absent: the reading's default, 15.
   */
  lateArrivalMinutes: z.int().min(0).max(240).optional(),
  /** Minutes before a session's end a 签退 card tap already counts (NOT IN SEEDS). Absent: 15. */
  earlyLeaveMinutes: z.int().min(0).max(240).optional(),
  /** A claim must be made within this many months of the certificate's issue. */
  claimWithinMonthsOfCertificate: z.int().min(1).optional(),
  /**
   * 公示 before payment (NOT IN SEEDS): an approved claim is published, names masked, for this
   * many days from its approval and is paid only after; an objection in that time holds it until
   * an officer rules. Absent: no publication.
   */
  publicationDays: z.int().min(1).max(60).optional(),
  /**
   * The worst 诚信等级 (InstitutionGraded, A best) an institution's latest grade may be for its
   * class to get an advance (先行拨付) (NOT IN SEEDS: the seeds name 诚信等级评定, not its effect;
   * set by the region). Absent: grades do not gate advances; an ungraded institution passes.
   */
  advanceMinGrade: z.enum(integrityGrades).optional(),
  // Catalogues (NOT IN SEEDS: the seeds name the lists, not that a record must be refused off them).
  /**
   * A class is applied for and opened only by an institution in force in the 定点培训机构目录 of
   * its region (or a division above) on its start day. Absent: designation alone suffices.
   */
  listedInstitutionsOnly: z.boolean().optional(),
  /**
   * An assessment result is recorded only from an evaluation body in force in the 评价机构目录 of
   * its region (or a division above) on the day assessed. Absent: any evaluation body.
   */
  listedEvaluationBodiesOnly: z.boolean().optional(),
})

/** The 行政区划代码 prefix a rule set governs: 2, 4 or 6 digits. */
export const rulePrefixSchema = z
  .string()
  .regex(/^\d{2}(\d{2}){0,2}$/, 'a 行政区划代码 prefix of 2, 4 or 6 digits')

const ruleSetShape = z.strictObject({
  id: entityIdSchema,
  version: z.int().min(1),
  title: z.string().min(1).max(200),
  region: rulePrefixSchema,
  /** The first day the version applies (an amendment's effective date). */
  validFrom: dateSchema,
  /** The last day it applies; open-ended when absent. */
  validTo: dateSchema.optional(),
  source: citation,
  /** The region's 急需紧缺工种目录, as occupation-code prefixes (a 大类-中类 prefix covers its children). */
  shortageOccupations: z.strictObject({
    source: citation,
    codes: z.array(z.string().regex(/^\d(-\d{2}){0,4}$/)),
  }),
  kinds: kindsSchema,
  /** D3: 先行拨付 「不低于50%」 of the training subsidy to the provider; the city sets the share. */
  advance: z
    .strictObject({
      source: citation,
      minShare: z.number().min(0.5, 'D3: an advance is at least half').max(1, 'a share is at most 1'),
      share: z.number().min(0.5).max(1, 'a share is at most 1').optional(),
    })
    .refine((a) => a.share === undefined || a.share >= a.minShare, {
      message: 'the city share may not be below the minimum',
      path: ['share'],
    })
    .optional(),
  practice: practiceSchema,
  /**
   * 实名认证 (D0 「实现培训对象实名认证」, D4): whether an enrolment under this set must present a
   * signed identity attestation from a trusted issuer (docs/identity-attestations.md). When
   * absent or false, a check the institution reports is still recorded, on its word.
   */
  identity: z.strictObject({ source: citation, requireAttestation: z.boolean() }).optional(),
})

/** Version 1 of a set, before the identity section. */
const ruleSetV1Shape = ruleSetShape.omit({ identity: true })

const periodInOrder = {
  check: (r: { validFrom: string; validTo?: string | undefined }) =>
    r.validTo === undefined || r.validTo >= r.validFrom,
  params: { message: 'validTo is before validFrom', path: ['validTo'] },
}

/** One version of a rule set: what a decision citing `{ id, version }` was judged by. */
export const ruleSetSchema = ruleSetShape.refine(periodInOrder.check, periodInOrder.params)

/** A version as an officer sends it: the service numbers it (1 when published, then one more per amendment). */
export const ruleSetDraftSchema = ruleSetShape
  .omit({ version: true })
  .refine(periodInOrder.check, periodInOrder.params)

export type RuleSetBody = z.output<typeof ruleSetSchema>

const ruleSetV1Schema = ruleSetV1Shape.refine(periodInOrder.check, periodInOrder.params)

const inProvince = {
  check: (e: { province: string; ruleSet: { region: string } }) => underPrefix(e.ruleSet.region, e.province),
  params: { message: 'the set’s region lies in the province of its stream', path: ['ruleSet', 'region'] },
}

const provinceSchema = z.string().regex(/^\d{2}$/, 'the two-digit province-level division code')

/** Version 1 of the published event: a set without its identity section. */
export const subsidyRuleSetPublishedV1Schema = z.strictObject({
  province: provinceSchema,
  ruleSet: ruleSetV1Schema,
})
const subsidyRuleSetAmendedV1Schema = z.strictObject({
  province: provinceSchema,
  ruleSet: ruleSetV1Schema,
  reason: noteSchema,
})

// Version 2 of both events adds the set's optional identity section; version 1 history has none.
export const subsidyRuleSetPublished = defineEvent({
  type: 'SubsidyRuleSetPublished',
  version: 2,
  context: 'subsidy',
  category: 'rulebook',
  key: 'province',
  summary: 'An officer of a region publishes a subsidy rule set (version 1) with its period.',
  schema: z
    .strictObject({ province: provinceSchema, ruleSet: ruleSetSchema })
    .refine((e) => e.ruleSet.version === 1, {
      message: 'a published set is version 1',
      path: ['ruleSet', 'version'],
    })
    .refine(inProvince.check, inProvince.params),
  upcasters: [upcaster(1, subsidyRuleSetPublishedV1Schema, (data) => data)],
})

export const subsidyRuleSetAmended = defineEvent({
  type: 'SubsidyRuleSetAmended',
  version: 2,
  context: 'subsidy',
  category: 'rulebook',
  key: 'province',
  summary:
    'A rule set gets a new version, in force from its validFrom; the earlier version ends the day before.',
  schema: z
    .strictObject({ province: provinceSchema, ruleSet: ruleSetSchema, reason: noteSchema })
    .refine((e) => e.ruleSet.version >= 2, {
      message: 'an amendment is version 2 or later',
      path: ['ruleSet', 'version'],
    })
    .refine(inProvince.check, inProvince.params),
  upcasters: [upcaster(1, subsidyRuleSetAmendedV1Schema, (data) => data)],
})

export const subsidyRuleSetWithdrawn = defineEvent({
  type: 'SubsidyRuleSetWithdrawn',
  context: 'subsidy',
  category: 'rulebook',
  key: 'province',
  summary:
    'A rule set is withdrawn from a date: no decision from that day on is made under any of its versions.',
  schema: z.strictObject({
    province: provinceSchema,
    id: entityIdSchema,
    /** The first day it no longer applies. */
    effectiveFrom: dateSchema,
    reason: noteSchema,
  }),
})

export const subsidyRuleEvents = [
  subsidyRuleSetPublished,
  subsidyRuleSetAmended,
  subsidyRuleSetWithdrawn,
] as const
