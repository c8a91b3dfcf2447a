import { addDays } from '@trec/core'
import type { RuleSetBody } from '../catalogue/subsidy-rules.ts'
import { underPrefix } from '../primitives.ts'
import type { EventData } from '../registry.ts'

// Which subsidy rule set governs a region on a day, from the province's rulebook stream
// (`rulebook-{province}`) alone. The subsidy gate decides claims by it and the training service
// reads a set's identity section at enrolment by it, so both agree on the set in force.
//
// A version applies from its `validFrom` to the earliest of its own `validTo`, the day before the
// set's next version starts, and the day before the set was withdrawn. On a day, the set in force
// for a region is, of those that apply and whose region prefixes it, the most specific region,
// then the latest start, then the highest version.

export type RulebookEvent =
  | { type: 'SubsidyRuleSetPublished'; data: EventData<'SubsidyRuleSetPublished'> }
  | { type: 'SubsidyRuleSetAmended'; data: EventData<'SubsidyRuleSetAmended'> }
  | { type: 'SubsidyRuleSetWithdrawn'; data: EventData<'SubsidyRuleSetWithdrawn'> }

export interface RulebookState {
  /** Every version of every set, in the order published. */
  versions: RuleSetBody[]
  /** The day each withdrawn set stopped applying. */
  withdrawn: Record<string, string>
}

export const emptyRulebook = (): RulebookState => ({ versions: [], withdrawn: {} })

export function evolveRulebook(state: RulebookState, event: RulebookEvent): RulebookState {
  if (event.type === 'SubsidyRuleSetWithdrawn')
    return { ...state, withdrawn: { ...state.withdrawn, [event.data.id]: event.data.effectiveFrom } }
  return { ...state, versions: [...state.versions, event.data.ruleSet] }
}

/**
 * Each version with the period it really applies. A version that never applies (withdrawn before
 * it started) ends before it begins.
 */
export function effectiveVersions(state: RulebookState): RuleSetBody[] {
  return state.versions.map((v) => {
    const next = state.versions.find((n) => n.id === v.id && n.version === v.version + 1)
    const withdrawn = state.withdrawn[v.id]
    const ends = [
      v.validTo,
      next && addDays(next.validFrom, -1),
      withdrawn === undefined ? undefined : addDays(withdrawn, -1),
    ].filter((d): d is string => d !== undefined)
    const validTo = ends.sort()[0]
    return validTo === undefined ? v : { ...v, validTo }
  })
}

type Governing = Pick<RuleSetBody, 'region' | 'validFrom' | 'validTo' | 'version'>

/** The set in force for a region (six digits) on a day, of sets whose periods are already effective. */
export function ruleSetInForce<S extends Governing>(
  sets: readonly S[],
  region: string,
  day: string,
): S | undefined {
  let best: S | undefined
  for (const set of sets) {
    if (!underPrefix(region, set.region) || set.validFrom > day) continue
    if (set.validTo !== undefined && set.validTo < day) continue
    if (best === undefined || compare(set, best) > 0) best = set
  }
  return best
}

function compare(a: Governing, b: Governing): number {
  if (a.region.length !== b.region.length) return a.region.length - b.region.length
  if (a.validFrom !== b.validFrom) return a.validFrom < b.validFrom ? -1 : 1
  return a.version - b.version
}
