import type { Envelope } from '@trec/contracts'
import type { RuleConfig, RuleId } from '../rules/parameters.ts'
import { type RaisedAlert, raiseAlert } from './alert-event.ts'
import { type FraudRule, MemoryRuleState, type RuleState } from './fraud-rule.ts'

/**
 * Runs a rule over events in feed order and returns the alerts raised, each once: a finding
 * whose alert id is in `raised` (raised before, by this run or an earlier one) is dropped.
 */
export async function runRule<R extends RuleId>(
  rule: FraudRule<R>,
  config: RuleConfig<R>,
  events: readonly Envelope[],
  state: RuleState,
  raised: Set<string>,
): Promise<RaisedAlert[]> {
  const reads = new Set<string>(rule.reads)
  const out: RaisedAlert[] = []
  for (const event of events) {
    if (!reads.has(event.type)) continue
    for (const draft of await rule.step(event, state, config.params)) {
      const alert = raiseAlert(rule.id, config.version, draft, event)
      if (raised.has(alert.alert)) continue
      raised.add(alert.alert)
      out.push(alert)
    }
  }
  return out
}

/** A rule over a whole history in memory: the given/then form of the rule tests. */
export async function detect<R extends RuleId>(
  rule: FraudRule<R>,
  config: RuleConfig<R>,
  events: readonly Envelope[],
): Promise<RaisedAlert[]> {
  return runRule(rule, config, events, new MemoryRuleState(), new Set())
}

/**
 * Every rule of a rule book over a history in memory, in feed order: what the detectors would
 * raise, without a database (what-if runs of a new rule version, the generator's self-check).
 */
export async function detectAll(
  rules: readonly FraudRule[],
  book: { [R in RuleId]: RuleConfig<R> },
  events: readonly Envelope[],
): Promise<RaisedAlert[]> {
  const out: RaisedAlert[] = []
  for (const rule of rules) out.push(...(await detect(rule, book[rule.id] as RuleConfig, events)))
  return out
}
