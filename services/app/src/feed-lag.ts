import type { EventStore } from '@trec/eventstore'

/**
 * How many events the feed holds after `position`, counted up to `cap` so that a reader far
 * behind costs a bounded read. Positions are not dense (adapters may leave holes), so the
 * difference of two positions is not a count; this is.
 */
export async function eventsAfter(store: EventStore, position: bigint, cap = 100_000): Promise<number> {
  let behind = 0
  let after = position
  while (behind < cap) {
    const batch = await store.readAll({ after, maxCount: Math.min(10_000, cap - behind) })
    if (batch.length === 0) break
    behind += batch.length
    after = batch[batch.length - 1]!.position
  }
  return behind
}
