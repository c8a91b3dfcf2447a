import { uuidPattern } from '@trec/core'
import { z } from 'zod'
import { isValidUscc } from './uscc.ts'

// Building blocks shared by the event schemas. Each says what real-world thing it stands for,
// so a field's type documents the field.

/**
 * A worker's pseudonym: the keyed hash of the normalised card number, 128 bits as 32 lowercase
 * hex characters. The card number itself never appears in an event (docs/architecture.md, "Identity").
 */
export const pseudonymSchema = z
  .string()
  .regex(/^[0-9a-f]{32}$/, 'must be a pseudonym: 32 lowercase hex characters')

/**
 * An id of an institution, class, session, voucher, claim, certificate and the like, as issued
 * by the owning system. The alphabet is the event store's stream-id alphabet, so any id can key
 * a stream.
 */
export const entityIdSchema = z
  .string()
  .regex(
    /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$/,
    'must be 1–64 of [A-Za-z0-9_.:-], starting with a letter or digit',
  )

/** A stored event's id (a lowercase UUID, normally UUIDv7). */
export const eventIdSchema = z.string().regex(uuidPattern, 'must be a lowercase UUID')

/** An instant: ISO 8601 with seconds and an explicit offset (`Z` or `±hh:mm`), never local time. */
export const instantSchema = z.iso.datetime({ offset: true })

/** A calendar date, `YYYY-MM-DD`. */
export const dateSchema = z.iso.date()

/**
 * 行政区划代码 (GB/T 2260): six digits, the first two a province-level division. The prefixes are
 * the 34 province-level divisions: 11–15 north, 21–23 north-east, 31–37 east, 41–46 central and
 * south, 50–54 south-west, 61–65 north-west, 71 Taiwan, 81–82 Hong Kong and Macao.
 */
const provincePrefixes = new Set(
  '11 12 13 14 15 21 22 23 31 32 33 34 35 36 37 41 42 43 44 45 46 50 51 52 53 54 61 62 63 64 65 71 81 82'.split(
    ' ',
  ),
)

export const regionCodeSchema = z
  .string()
  .regex(/^\d{6}$/, { message: 'must be a six-digit administrative division code (GB/T 2260)', abort: true })
  .refine((code) => provincePrefixes.has(code.slice(0, 2)), {
    message: 'must start with a province-level division code (GB/T 2260)',
    abort: true,
  })

/**
 * The prefix a 行政区划代码 stands for once its trailing zero pairs are cut: 130000 (a province)
 * → 13, 130100 (a city) → 1301, 130102 → 130102. A code covers every code that starts with it.
 */
export function regionPrefix(code: string): string {
  let prefix = code
  while (prefix.length > 2 && prefix.endsWith('00')) prefix = prefix.slice(0, -2)
  return prefix
}

// Two readings of a region that names an area, each written once here:
// - a division's code (130100, the city) covers every code under it: `regionCovers`;
// - a prefix as configured or put in a token (13, 1301, 130102: 2, 4 or 6 digits) is read
//   literally, so a six-digit one names that one code: `underPrefix`.

/** Whether the division `area` (a code or a prefix) covers `region`: 130100 covers 130102, 130102 only itself. */
export function regionCovers(area: string, region: string): boolean {
  return region.startsWith(regionPrefix(area))
}

/** Whether the six-digit `region` starts with `prefix` (2, 4 or 6 digits, read as written). */
export function underPrefix(region: string, prefix: string): boolean {
  return region.startsWith(prefix)
}

/** Money in fen (1 yuan = 100 fen), an exact integer: never a float of yuan. */
export const fenSchema = z.int().min(0)

/** A payment or claim amount: at least one fen. */
export const positiveFenSchema = z.int().min(1)

/** A share or score in [0, 1]. */
export const unitIntervalSchema = z.number().min(0).max(1)

/** A SHA-256 digest as 64 lowercase hex characters. */
export const sha256HexSchema = z.string().regex(/^[0-9a-f]{64}$/, 'must be a SHA-256 digest in lowercase hex')

/**
 * An occupation code of the 中华人民共和国职业分类大典 (2015/2022 editions): 大类-中类-小类-细类,
 * e.g. `4-10-01-02`, optionally followed by a two-digit 工种 suffix. 大类 run 1–8.
 */
export const occupationCodeSchema = z
  .string()
  .regex(/^[1-8]-\d{2}-\d{2}-\d{2}(-\d{2})?$/, 'must be an occupation code like 4-10-01-02 (职业分类大典)')

/**
 * Skill level in the national five-level scheme: 5 = 五级/初级工, 4 = 四级/中级工, 3 = 三级/高级工,
 * 2 = 二级/技师, 1 = 一级/高级技师. The 特级技师/首席技师 grades above it are titles awarded to
 * 一级 holders and are not levels here.
 */
export const skillLevelSchema = z.int().min(1).max(5)

/** 统一社会信用代码 (GB 32100-2015): 18 characters with a MOD 31 check character. */
export const usccSchema = z
  .string()
  .regex(/^[0-9A-HJ-NP-RT-UW-Y]{18}$/, {
    message: 'must be 18 characters of the GB 32100 alphabet (no I, O, S, V, Z)',
    abort: true,
  })
  .refine(isValidUscc, { message: 'check character does not match (GB 32100-2015)', abort: true })

/** Free text written by staff (reasons, notes). Never personal data: that is sealed. */
export const noteSchema = z.string().min(1).max(2000)

/**
 * Subsidy kinds named in the seeds (docs/domain.md §3): 职业培训补贴, 技能提升补贴, 新型学徒制,
 * 生活费补贴, 创业培训补贴, 职业技能鉴定评价补贴 (`assessment`), 项目制培训 (`project_training`:
 * training the government buys, paid to the provider) and 以工代训 (`work_based_training`: paid
 * to the employer per person per month).
 */
export const subsidyKinds = [
  'training',
  'skill_upgrade',
  'apprenticeship',
  'living_allowance',
  'entrepreneurship',
  'assessment',
  'project_training',
  'work_based_training',
] as const
export const subsidyKindSchema = z.enum(subsidyKinds)

/** A versioned rule set that a decision was made under (docs/architecture.md, "Rules come from data"). */
export const ruleSetRefSchema = z.strictObject({ id: entityIdSchema, version: z.int().min(1) })

/** A list without repeats, compared by value (ids, pseudonyms). */
export function uniqueList<T extends z.ZodType<string>>(item: T) {
  return z
    .array(item)
    .refine((list) => new Set(list).size === list.length, { message: 'must not repeat items' })
}
