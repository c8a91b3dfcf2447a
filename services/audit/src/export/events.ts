import type { EventStore, RecordedEvent } from '@trec/eventstore'
import type { LeafRow } from '../sql/audit-db.ts'

// Reading the events of given leaves back from the store. Consecutive leaves are consecutive
// events of the feed, so a run of them is one `readAll` from just before the run's first
// position; scattered leaves cost one read each.

export async function readLeafEvents(
  store: EventStore,
  leaves: readonly LeafRow[],
): Promise<RecordedEvent[]> {
  const out: RecordedEvent[] = []
  let i = 0
  while (i < leaves.length) {
    let j = i + 1
    while (j < leaves.length && leaves[j]!.idx === leaves[j - 1]!.idx + 1) j += 1
    const run = leaves.slice(i, j)
    const events = await store.readAll({ after: run[0]!.position - 1n, maxCount: run.length })
    for (const [k, leaf] of run.entries()) {
      const event = events[k]
      if (event === undefined || event.id !== leaf.eventId || event.position !== leaf.position)
        throw new Error(
          `the store no longer holds event ${leaf.eventId} of leaf ${leaf.idx} at position ${leaf.position}`,
        )
      out.push(event)
    }
    i = j
  }
  return out
}
