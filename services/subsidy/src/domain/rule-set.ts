import {
  ruleSetInForce as inForce,
  type kindRuleSchema,
  type RuleSetBody,
  ruleSetSchema,
} from '@trec/contracts'
import type { z } from 'zod'

// Subsidy rules are data, effective-dated per region (docs/architecture.md, "Rules come from data,
// with versions"): amounts, caps, uplifts and eligibility differ by region and change over time.
// The shape of a set is an event contract (@trec/contracts, `SubsidyRuleSetPublished`): officers
// publish, amend and withdraw sets through the API (rulebook.ts). A set covers one 行政区划代码
// prefix (2 digits a province, 4 a city, 6 a county) for a period; every decision records the
// `{ id, version }` it was made under.

export { ruleSetSchema }

export type RuleSet = RuleSetBody
export type KindRule = z.output<typeof kindRuleSchema>
export type RuleSetRef = { id: string; version: number }

export const refOf = (rules: RuleSet): RuleSetRef => ({ id: rules.id, version: rules.version })

/**
 * The rule set in force for a region on a day: of the sets whose region covers it and whose
 * period holds the day, the most specific region, then the latest start, then the highest version
 * (the one reading of it, in @trec/contracts, which the training service uses too).
 */
export const ruleSetInForce: (sets: readonly RuleSet[], region: string, day: string) => RuleSet | undefined =
  inForce

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
