import {
  effectiveVersions,
  emptyCatalogues,
  emptyRulebook,
  evolveCatalogues,
  evolveRulebook,
  regionChain,
  ruleSetInForce,
  versionOn,
} from '@trec/contracts'
import type { EventStore } from '@trec/eventstore'
import { readEvents } from './context.ts'

// Whether an assessment result's evaluation body must be, and is, in the 评价机构目录: the rule
// set in force in the region on the day assessed says whether listing is required
// (listedEvaluationBodiesOnly, national practice); the catalogues of the region and the divisions
// above it say whether the body is in force that day.

export async function bodyListingFor(store: EventStore, region: string, body: string, day: string) {
  const rulebook = (await readEvents(store, `rulebook-${region.slice(0, 2)}`)).reduce(
    (state, e) => evolveRulebook(state, e as never),
    emptyRulebook(),
  )
  const ruleSet = ruleSetInForce(effectiveVersions(rulebook), region, day)
  if (!ruleSet?.practice.listedEvaluationBodiesOnly) return undefined
  const catalogues = await Promise.all(
    regionChain(region).map(async (r) =>
      (await readEvents(store, `catalogue-${r}`)).reduce(evolveCatalogues, emptyCatalogues()),
    ),
  )
  const entries = catalogues.flatMap((c) => c.evaluationBodies.filter((e) => e.published.body === body))
  return {
    ruleSet: { id: ruleSet.id, version: ruleSet.version },
    inForce: entries.some((e) => versionOn(e, day) !== undefined),
    entries: entries.map((e) => e.id),
  }
}
