import { z } from 'zod'
import { defineEvent } from '../definition.ts'
import {
  dateSchema,
  entityIdSchema,
  noteSchema,
  occupationCodeSchema,
  positiveFenSchema,
  regionCodeSchema,
  skillLevelSchema,
  uniqueList,
} from '../primitives.ts'
import { evaluatorKinds } from './assessment.ts'

// The effective-dated catalogues of a region (docs/domain.md, "Catalogues"): the 培训项目目录
// (`ProgrammePublished` in training.ts, adjusted and withdrawn here), the 定点培训机构目录, the
// 评价机构目录 and the 紧缺职业（工种）目录. Every entry is published with the day it comes into
// force; 动态调整 gives it a new version from a later day (the previous version ends the day
// before, and stays in the record); 清退 withdraws it from a day. All live in the region's
// `catalogue-{region}` stream, so one read gives what the region publishes.

/** Why an entry leaves its catalogue (清退). */
export const withdrawalReasons = [
  'rule_violation', // 违反规定
  'inspection_failed', // 年度检查、评估不合格
  'no_longer_needed', // 不再紧缺, 不再需要
  'superseded', // replaced by another entry
  'requested', // the listed party asked to leave
  'other',
] as const

const adjustmentFields = {
  region: regionCodeSchema,
  /** The first day the new version is in force; the previous one ends the day before. */
  effectiveFrom: dateSchema,
  /** 动态调整: why the entry changes (a notice, a review). */
  reason: noteSchema,
}

const withdrawalFields = {
  region: regionCodeSchema,
  /** The first day the entry is no longer in force. */
  effectiveFrom: dateSchema,
  reason: z.enum(withdrawalReasons),
  note: noteSchema.optional(),
}

const nonEmpty = { message: 'an adjustment changes at least one term', path: ['changes'] }
const periodInOrder = {
  check: (p: { effectiveFrom: string; effectiveTo?: string | undefined }) =>
    p.effectiveTo === undefined || p.effectiveTo >= p.effectiveFrom,
  params: { message: 'effectiveTo must not be before effectiveFrom', path: ['effectiveTo'] },
}

// --- 培训项目目录: adjusting and withdrawing a ProgrammePublished ---

/** The terms of a programme a 动态调整 may change; its occupation, level and kind stay. */
const programmeTermsSchema = z.strictObject({
  occupationTitle: z.string().min(1).max(100),
  amount: positiveFenSchema,
  shortage: z.boolean(),
})

export const programmeAdjusted = defineEvent({
  type: 'ProgrammeAdjusted',
  context: 'training',
  category: 'catalogue',
  key: 'region',
  summary:
    'A programme of the 培训项目目录 gets new terms (动态调整) from a day; its previous version ends the day before.',
  schema: z.strictObject({
    programme: entityIdSchema,
    ...adjustmentFields,
    changes: programmeTermsSchema.partial().refine((c) => Object.keys(c).length > 0, nonEmpty),
  }),
})

export const programmeWithdrawn = defineEvent({
  type: 'ProgrammeWithdrawn',
  context: 'training',
  category: 'catalogue',
  key: 'region',
  summary: 'A programme is withdrawn from the 培训项目目录 (清退) from a day.',
  schema: z.strictObject({ programme: entityIdSchema, ...withdrawalFields }),
})

// --- The three catalogues of one shape: an entry id, what the entry names, its terms ---

/**
 * The three events of one effective-dated catalogue: `{name}Published` with the entry's fixed
 * fields and its terms, `{name}Adjusted` with changed terms, `{name}Withdrawn`.
 */
function effectiveDatedCatalogue<const N extends string, F extends z.ZodRawShape, T extends z.ZodRawShape>(
  name: N,
  what: string,
  fixed: F,
  terms: T,
) {
  const published = defineEvent({
    type: `${name}Published` as `${N}Published`,
    context: 'training',
    category: 'catalogue',
    key: 'region' as never,
    summary: `An entry is published in the ${what} of a region, in force from a day.`,
    schema: z
      .strictObject({
        entry: entityIdSchema,
        region: regionCodeSchema,
        ...fixed,
        ...terms,
        effectiveFrom: dateSchema,
        effectiveTo: dateSchema.optional(),
      })
      .refine((p) => periodInOrder.check(p as never), periodInOrder.params),
  })
  const adjusted = defineEvent({
    type: `${name}Adjusted` as `${N}Adjusted`,
    context: 'training',
    category: 'catalogue',
    key: 'region' as never,
    summary: `An entry of the ${what} gets new terms (动态调整) from a day; its previous version ends the day before.`,
    schema: z.strictObject({
      entry: entityIdSchema,
      ...adjustmentFields,
      changes: z
        .strictObject(terms)
        .partial()
        .refine((c) => Object.keys(c).length > 0, nonEmpty),
    }),
  })
  const withdrawn = defineEvent({
    type: `${name}Withdrawn` as `${N}Withdrawn`,
    context: 'training',
    category: 'catalogue',
    key: 'region' as never,
    summary: `An entry is withdrawn from the ${what} (清退) from a day.`,
    schema: z.strictObject({ entry: entityIdSchema, ...withdrawalFields }),
  })
  return [published, adjusted, withdrawn] as const
}

/** 定点培训机构目录: the institutions listed for subsidised training in a region. */
export const listedInstitutionEvents = effectiveDatedCatalogue(
  'ListedInstitution',
  '定点培训机构目录',
  { institution: entityIdSchema },
  {
    /** The registered name, as the list prints it. */
    legalName: z.string().min(1).max(200),
    /** The occupations (code prefixes) it is listed to train for; absent, any. */
    occupations: uniqueList(z.string().regex(/^\d(-\d{2}){0,4}$/))
      .max(200)
      .optional(),
  },
)

/** 评价机构目录: the skill-evaluation bodies whose results a region accepts. */
export const evaluationBodyEvents = effectiveDatedCatalogue(
  'EvaluationBody',
  '评价机构目录',
  {
    /** The id assessment results name as their evaluator. */
    body: entityIdSchema,
    kind: z.enum(evaluatorKinds),
  },
  {
    name: z.string().min(1).max(200),
    /** The occupations (code prefixes) it may evaluate; absent, any. */
    occupations: uniqueList(z.string().regex(/^\d(-\d{2}){0,4}$/))
      .max(200)
      .optional(),
  },
)

/** 紧缺职业（工种）目录: the occupations in short supply in a region (D1/D2 急需紧缺). */
export const shortageOccupationEvents = effectiveDatedCatalogue(
  'ShortageOccupation',
  '紧缺职业（工种）目录',
  { occupationCode: occupationCodeSchema, level: skillLevelSchema.optional() },
  { occupationTitle: z.string().min(1).max(100) },
)

export const catalogueEntryEvents = [
  programmeAdjusted,
  programmeWithdrawn,
  ...listedInstitutionEvents,
  ...evaluationBodyEvents,
  ...shortageOccupationEvents,
] as const
