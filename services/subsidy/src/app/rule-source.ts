import { handleCommand, loadState, type StreamState } from '@trec/command'
import { isTrecError, uuidv8Of } from '@trec/core'
import type { EventStore } from '@trec/eventstore'
import type { RuleSet } from '../domain/rule-set.ts'
import {
  effectiveVersions,
  provinceOf,
  type RulebookState,
  rulebookDecider,
  rulebookStream,
} from '../domain/rulebook.ts'

// Where the gate finds its rules: the rule sets published as events in the province's rulebook
// stream (one read), and any sets the service was given directly (tests, a fixed deployment).

/** The province's rulebook as its events fold up, with the events (the proof of what was in force). */
export function readRulebook(store: EventStore, province: string): Promise<StreamState<RulebookState>> {
  return loadState(store, rulebookStream(province), rulebookDecider)
}

/** Every rule-set version that can govern `region`, with the period each really applies. */
export async function ruleSetsFor(
  options: { store: EventStore; rules: readonly RuleSet[] },
  region: string,
): Promise<RuleSet[]> {
  const { state } = await readRulebook(options.store, provinceOf(region))
  return [...options.rules, ...effectiveVersions(state)]
}

/** The actor shipped sets are published by: the system, on the first start of a deployment. */
export const shippedPublisher = { kind: 'system' as const, id: 'trec-shipped-rules' }

/** A UUID named by its content, so the same shipped set has the same event id on every start. */
function shippedEventId(set: RuleSet): string {
  return uuidv8Of(`trec shipped rule set\n${set.id}\n${set.version}`)
}

export interface ShippedReport {
  published: string[]
  /** Already in the store (a restart): nothing appended. */
  present: string[]
  /** Refused because an officer's set already governs the same region and kind: theirs stands. */
  refused: { ruleSet: string; reason: string }[]
}

/**
 * Publishes the sets that ship with the service, each as a `SubsidyRuleSetPublished` by the
 * system on the day the set starts, under an id derived from the set: a restart finds the event
 * and appends nothing, and a set an officer has since amended or withdrawn is not put back.
 */
export async function publishShippedRuleSets(
  store: EventStore,
  sets: readonly RuleSet[],
): Promise<ShippedReport> {
  const report: ShippedReport = { published: [], present: [], refused: [] }
  for (const set of [...sets].sort((a, b) => a.validFrom.localeCompare(b.validFrom))) {
    const name = `${set.id}@${set.version}`
    const id = shippedEventId(set)
    const province = provinceOf(set.region)
    const { events } = await readRulebook(store, province)
    if (events.some((e) => e.id === id)) {
      report.present.push(name)
      continue
    }
    const { version: _version, ...draft } = set
    try {
      await handleCommand(store, rulebookDecider, {
        stream: rulebookStream(province),
        command: { kind: 'publish', province, draft },
        meta: {
          occurredAt: `${set.validFrom}T00:00:00+08:00`,
          actor: shippedPublisher,
          source: 'trec.subsidy',
          region: set.region.padEnd(6, '0'),
        },
        nextId: () => id,
      })
      report.published.push(name)
    } catch (error) {
      if (!isTrecError(error, 'TREC_RULE_SET_CONFLICT')) throw error
      report.refused.push({ ruleSet: name, reason: error.message })
    }
  }
  return report
}
