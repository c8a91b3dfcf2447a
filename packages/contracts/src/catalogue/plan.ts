import { z } from 'zod'
import { defineEvent } from '../definition.ts'
import { noteSchema, underPrefix } from '../primitives.ts'
import { populationGroups } from './employment.ts'
import { rulePrefixSchema } from './subsidy-rules.ts'

// Plan targets (D0 专栏1, D3, D4: 开展补贴性职业技能培训（人次）, of which 农民工) as events: an officer of
// a region sets the region's target for a year; setting it again replaces it from then on, and
// the log keeps every figure ever set. All the targets of one province-level division live in
// one stream, `plan-{province}`, so a region's target for a year is one stream read. The figures
// are the region's, never constants: the seeds give five-year totals (Hebei ≥270万, 黑龙江 ≥120万),
// not a city's year.

const planTargetShape = z.strictObject({
  /** The 行政区划代码 prefix the target is for (2 digits a province, 4 a city, 6 a county). */
  region: rulePrefixSchema,
  year: z.string().regex(/^\d{4}$/, 'a calendar year, YYYY'),
  /** Subsidised person-times planned: one per completed subsidised training. */
  personTimes: z.int().min(1),
  /** Of which, by population group (the plan tables' 「其中」 lines, e.g. 农民工). */
  byGroup: z.partialRecord(z.enum(populationGroups), z.int().min(1)).optional(),
  /** Where the figure comes from (the plan document, or 「set by the region」). */
  source: noteSchema,
})

const groupsWithinWhole = {
  check: (t: { personTimes: number; byGroup?: Partial<Record<string, number>> | undefined }) =>
    Object.values(t.byGroup ?? {}).every((n) => n === undefined || n <= t.personTimes),
  params: { message: 'a group’s target is part of the whole, so at most personTimes', path: ['byGroup'] },
}

/** A target as an officer sends it: the province is the region's first two digits. */
export const planTargetBodySchema = planTargetShape.refine(groupsWithinWhole.check, groupsWithinWhole.params)

export const planTargetPublished = defineEvent({
  type: 'PlanTargetPublished',
  context: 'employment',
  category: 'plan',
  key: 'province',
  summary:
    'An officer sets a region’s yearly target of subsidised trainings (补贴性培训人次), replacing any earlier one.',
  schema: planTargetShape
    .extend({ province: z.string().regex(/^\d{2}$/, 'the two-digit province-level division code') })
    .refine((t) => underPrefix(t.region, t.province), {
      message: 'the region lies in the province of its stream',
      path: ['region'],
    })
    .refine(groupsWithinWhole.check, groupsWithinWhole.params),
})

export const planEvents = [planTargetPublished] as const
