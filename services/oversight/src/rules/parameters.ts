import { readFileSync } from 'node:fs'
import { accessPurposes, actorKinds, subsidyKinds } from '@trec/contracts'
import { z } from 'zod'

// The fraud rules' parameters are data with a version (docs/architecture.md, "Rules come from data,
// with versions"), never constants in the rule code. The version names the rule's logic and its
// parameters together: it is stamped on every alert, names the detector's read-model tables,
// and goes into the alert id, so changing either means a new version, rebuilt from zero beside
// the old one. The shipped values are in `rules/fraud-rules.json`, each with its basis.

const positive = z.number().positive()
/** The attested facts R9 can treat as making a trainee ineligible. */
export const r9Facts = ['deceased', 'full_time_study'] as const
/** What two institutions can share in R12's graph. */
export const r12LinkKinds = ['teacher', 'device', 'template', 'account'] as const
const share = z.number().min(0).max(1)
const kinds = z.array(z.enum(subsidyKinds)).min(1)

export const ruleParameterSchemas = {
  R1: z.strictObject({ kinds }),
  R2: z.strictObject({ max: z.int().min(1).max(100), kinds }),
  R3: z.strictObject({ kinds }),
  R4: z.strictObject({ maxSpeedKmh: positive, minDistanceKm: z.number().min(0), windowHours: positive }),
  R5: z.strictObject({
    /** Overlaps this short are a changeover, not a double booking. */
    overlapToleranceMinutes: z.number().min(0).max(240),
    /** Bookings of a teacher or venue kept back from its latest one: the state's bound. */
    horizonDays: z.int().min(1).max(3660),
  }),
  R6: z.strictObject({
    maxWorkersPerTemplate: z.int().min(1),
    burst: z.strictObject({ workers: z.int().min(1), seconds: positive }),
    maxWorkersPerDevicePerDay: z.int().min(1),
  }),
  R7: z.strictObject({
    minShare: share,
    graceMinutes: z.number().min(0).max(240),
    /** NOT IN SEEDS: passing face checks per hour of signed online learning, as the hours reading asks. */
    checksPerHour: z.int().min(1).max(60),
    completionToleranceMinutes: z
      .number()
      .min(0)
      .max(24 * 60),
  }),
  R8: z.strictObject({ kinds }),
  R9: z.strictObject({
    /** Attested facts that make a trainee ineligible or a phantom. */
    ineligibleFacts: z.array(z.enum(r9Facts)),
    /** An enrolment must rest on a check that answered `verified` (signed or not). */
    requireVerifiedCheck: z.boolean(),
  }),
  R10: z.strictObject({
    maxPlaybackRate: positive,
    overlapToleranceSeconds: z.number().min(0),
    maxHoursPerDay: z.number().positive().max(24),
    maxWorkersPerFingerprint: z.int().min(1),
    windowDays: positive,
    /** A signed segment this long with no interaction at all is an unattended player. */
    idleMinutes: positive,
  }),
  R11: z.strictObject({
    window: z.enum(['month', 'quarter']),
    minResults: z.int().min(2),
    minPassRate: share,
    maxScoreStdDev: z.number().min(0),
  }),
  R12: z.strictObject({
    /** The kinds of shared link counted between two institutions. */
    linkKinds: z.array(z.enum(r12LinkKinds)).min(1),
    /** A pair of institutions is a cluster from this many distinct shared links … */
    minSharedLinks: z.int().min(1),
    /** … of at least this many kinds. */
    minKinds: z.int().min(1).max(r12LinkKinds.length),
    /** Parties kept per link (the state's bound; a link used by more is flagged by then). */
    maxPartiesPerLink: z.int().min(2).max(1000),
  }),
  R13: z.strictObject({
    purposesNeedingCase: z.array(z.enum(accessPurposes)),
    maxSubjectsPerDay: z.int().min(1),
    volumeActorKinds: z.array(z.enum(actorKinds)),
  }),
} as const

export type RuleId = keyof typeof ruleParameterSchemas
export const ruleIds = Object.keys(ruleParameterSchemas) as RuleId[]
export type RuleParameters<R extends RuleId> = z.output<(typeof ruleParameterSchemas)[R]>

export interface RuleConfig<R extends RuleId = RuleId> {
  version: number
  /** Where the rule and its values come from (a seed, local practice, or NOT IN SEEDS). */
  basis: string
  params: RuleParameters<R>
}

export type RuleBook = { [R in RuleId]: RuleConfig<R> }

const section = <S extends z.ZodType>(params: S) =>
  z.strictObject({ version: z.int().min(1), basis: z.string().min(1), params })

export const ruleBookSchema = z.strictObject({
  R1: section(ruleParameterSchemas.R1),
  R2: section(ruleParameterSchemas.R2),
  R3: section(ruleParameterSchemas.R3),
  R4: section(ruleParameterSchemas.R4),
  R5: section(ruleParameterSchemas.R5),
  R6: section(ruleParameterSchemas.R6),
  R7: section(ruleParameterSchemas.R7),
  R8: section(ruleParameterSchemas.R8),
  R9: section(ruleParameterSchemas.R9),
  R10: section(ruleParameterSchemas.R10),
  R11: section(ruleParameterSchemas.R11),
  R12: section(ruleParameterSchemas.R12),
  R13: section(ruleParameterSchemas.R13),
})

/** Checks a rule book; a wrong value fails at start-up with every path, not on an event. */
export function parseRuleBook(input: unknown): RuleBook {
  const parsed = ruleBookSchema.safeParse(input)
  if (!parsed.success)
    throw new Error(
      `invalid fraud rule book: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
    )
  return parsed.data as RuleBook
}

const shippedFile = new URL('../../rules/fraud-rules.json', import.meta.url)

/** The shipped rule book, or the one in `file`. */
export function loadRuleBook(file: string | URL = shippedFile): RuleBook {
  return parseRuleBook(JSON.parse(readFileSync(file, 'utf8')))
}

/** A rule book with some rules' parameters replaced (tests, what-if runs); bump the version too. */
export function withRule<R extends RuleId>(book: RuleBook, rule: R, config: RuleConfig<R>): RuleBook {
  return parseRuleBook({ ...book, [rule]: config })
}
