import { certificateKinds, dateSchema, entityIdSchema, fenSchema, subsidyKinds } from '@trec/contracts'
import { z } from 'zod'

// Subsidy rules are data, effective-dated per region (docs/architecture.md, "Rules come from data,
// with versions"): amounts, caps, uplifts and eligibility differ by region and change over time.
// A rule set covers one 行政区划代码 prefix (2 digits a province, 4 a city, 6 a county) for a
// period; every decision records the `{ id, version }` it was made under. Each section names its
// source: a seed document (D0–D4) or, for national practice the seeds do not state, NOT IN SEEDS.

const payeeKinds = ['worker', 'provider', 'enterprise'] as const
const levelKey = z.enum(['1', '2', '3', '4', '5'])
const citation = z.string().min(1).max(1000)

/** How a kind's amount is set: a per-person ceiling (D2 「每人最高不超过」) or a fixed sum per level. */
const amountSchema = z.discriminatedUnion('basis', [
  z.strictObject({
    basis: z.literal('cap'),
    perPerson: fenSchema,
    /** The ceiling for occupations on the shortage list (D2: ¥2,500 against ¥2,200). */
    shortagePerPerson: fenSchema.optional(),
  }),
  z.strictObject({
    basis: z.literal('level'),
    /** Fen per certificate or training level (5 = 初级工 … 1 = 高级技师). */
    byLevel: z.partialRecord(levelKey, fenSchema),
    /** Uplift for occupations on the shortage list, as a fraction (D2: 「可提高10%」 is 0.1). */
    shortageUplift: z.number().min(0).max(1).optional(),
  }),
])

/** Which evidence in the record a payment of this kind needs (the 不进不补 chain, docs/domain.md §4). */
const requiresSchema = z.strictObject({
  enrolment: z.boolean(),
  attendance: z.boolean(),
  completion: z.boolean(),
  certificate: z.boolean(),
})

export const kindRuleSchema = z.strictObject({
  source: citation,
  payees: z.array(z.enum(payeeKinds)).min(1),
  amount: amountSchema,
  requires: requiresSchema,
  /** The certificate kinds that qualify; any kind when absent. */
  certificateKinds: z.array(z.enum(certificateKinds)).min(1).optional(),
  /** D2: 技能提升补贴 needs 「累计缴纳失业保险费12个月以上的企业职工」. */
  contribution: z.strictObject({ minMonths: z.int().min(1), enterpriseEmployee: z.boolean() }).optional(),
  /** D2: 新型学徒制 「每人每年」: at most this many claims of the kind per person per calendar year. */
  perPersonPerYear: z.int().min(1).optional(),
})

const kindsSchema = z.strictObject(
  Object.fromEntries(subsidyKinds.map((k) => [k, kindRuleSchema.optional()])) as Record<
    (typeof subsidyKinds)[number],
    z.ZodOptional<typeof kindRuleSchema>
  >,
)

/**
 * National practice that no seed states (docs/domain.md §3, §9). Each rule is off when
 * absent, so a region that does not follow it leaves it out.
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
  minAttendanceShare: z.number().min(0).max(1).optional(),
  /** Also count the sessions with a passing face check, not only the completion's share. */
  countFaceChecks: z.boolean().optional(),
  /** A claim must be made within this many months of the certificate's issue. */
  claimWithinMonthsOfCertificate: z.int().min(1).optional(),
})

export const ruleSetSchema = z
  .strictObject({
    id: entityIdSchema,
    version: z.int().min(1),
    title: z.string().min(1).max(200),
    /** The 行政区划代码 prefix the set governs: 2, 4 or 6 digits. */
    region: z.string().regex(/^\d{2}(\d{2}){0,2}$/, 'a 行政区划代码 prefix of 2, 4 or 6 digits'),
    validFrom: dateSchema,
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
        minShare: z.number().min(0.5, 'D3: an advance is at least half').max(1),
        share: z.number().min(0.5).max(1).optional(),
      })
      .refine((a) => a.share === undefined || a.share >= a.minShare, {
        message: 'the city share may not be below the minimum',
        path: ['share'],
      })
      .optional(),
    practice: practiceSchema,
  })
  .refine((r) => r.validTo === undefined || r.validTo >= r.validFrom, {
    message: 'validTo is before validFrom',
    path: ['validTo'],
  })

export type RuleSet = z.output<typeof ruleSetSchema>
export type KindRule = z.output<typeof kindRuleSchema>
export type RuleSetRef = { id: string; version: number }

export const refOf = (rules: RuleSet): RuleSetRef => ({ id: rules.id, version: rules.version })

/** The 行政区划代码 prefix a full six-digit code stands for: 130100 (a city) → 1301, 130000 → 13. */
export function regionPrefix(code: string): string {
  let prefix = code
  while (prefix.length > 2 && prefix.endsWith('00')) prefix = prefix.slice(0, -2)
  return prefix
}

/**
 * The rule set in force for a region on a day: of the sets whose region covers it and whose
 * period holds the day, the most specific region, then the latest start, then the highest version.
 */
export function ruleSetInForce(sets: readonly RuleSet[], region: string, day: string): RuleSet | undefined {
  let best: RuleSet | undefined
  for (const set of sets) {
    if (!region.startsWith(set.region) || set.validFrom > day) continue
    if (set.validTo !== undefined && set.validTo < day) continue
    if (best === undefined || compare(set, best) > 0) best = set
  }
  return best
}

function compare(a: RuleSet, b: RuleSet): number {
  if (a.region.length !== b.region.length) return a.region.length - b.region.length
  if (a.validFrom !== b.validFrom) return a.validFrom < b.validFrom ? -1 : 1
  return a.version - b.version
}

/** The exact set a decision named, for judging its later steps by the same rules. */
export function ruleSetByRef(sets: readonly RuleSet[], ref: RuleSetRef): RuleSet | undefined {
  return sets.find((s) => s.id === ref.id && s.version === ref.version)
}

/**
 * Problems that make a list of rule sets unusable together: an `{ id, version }` twice, or two
 * sets that would tie for the same region and start (neither more specific, later nor newer).
 */
export function ruleSetConflicts(sets: readonly RuleSet[]): string[] {
  const problems: string[] = []
  const refs = new Set<string>()
  const ties = new Set<string>()
  for (const set of sets) {
    const ref = `${set.id}@${set.version}`
    if (refs.has(ref)) problems.push(`rule set ${ref} is defined twice`)
    refs.add(ref)
    const tie = `${set.region}/${set.validFrom}/${set.version}`
    if (ties.has(tie))
      problems.push(
        `two rule sets for region ${set.region} start on ${set.validFrom} at version ${set.version}: which applies is undecidable`,
      )
    ties.add(tie)
  }
  return problems
}
