import { loadState, type RuleViolation } from '@trec/command'
import type { EventStore } from '@trec/eventstore'
import { paymentGate, subsidyDecider } from '../domain/claim-decider.ts'
import { chinaDay } from '../domain/dates.ts'
import { type RuleSet, ruleSetByRef } from '../domain/rule-set.ts'
import { readClaimEvidence } from './read-evidence.ts'
import { ruleSetsFor } from './rule-source.ts'

// What a claim still lacks for payment: the payment gate run now, on the record as it stands,
// exactly as `POST /v1/claims/{claim}/payment` would run it (paymentGate), without appending
// anything. An empty list means a payment today would pass the gate.

export interface LacksDeps {
  store: EventStore
  rules: readonly RuleSet[]
  clock: () => Date
}

/** Rule sets by region, read once for a page of claims. */
export function ruleSetCache(deps: LacksDeps): (region: string) => Promise<RuleSet[]> {
  const byRegion = new Map<string, Promise<RuleSet[]>>()
  return (region) => {
    const known = byRegion.get(region)
    if (known) return known
    const sets = ruleSetsFor(deps, region)
    byRegion.set(region, sets)
    return sets
  }
}

export async function lacksForPayment(
  deps: LacksDeps,
  worker: string,
  claimId: string,
  setsOf: (region: string) => Promise<RuleSet[]> = ruleSetCache(deps),
): Promise<RuleViolation[]> {
  const { state } = await loadState(deps.store, `subsidy-${worker}`, subsidyDecider)
  const claim = state.claims[claimId]
  if (!claim) return []
  const s = claim.submitted
  const rules = ruleSetByRef(await setsOf(s.region), s.ruleSet)
  if (!rules)
    return [
      {
        rule: 'rule-set-in-force',
        message: `the rule set ${s.ruleSet.id} version ${s.ruleSet.version} the claim was judged by is not loaded`,
        details: { ruleSet: s.ruleSet },
      },
    ]
  const evidence = await readClaimEvidence(deps.store, {
    worker,
    class: s.class,
    institution: s.payee.kind === 'worker' ? undefined : s.payee.id,
  })
  return paymentGate(claim, state, rules, evidence, chinaDay(deps.clock())).violations
}
