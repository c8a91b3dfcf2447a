import type { EventStore } from '@trec/eventstore'
import { feedLane } from './lanes.ts'
import type { ReadModel } from './read-model.ts'

/**
 * How many events the feed holds after `position`, counted up to `cap` so that a reader far
 * behind costs a bounded read. Positions are not dense (adapters may leave holes), so the
 * difference of two positions is not a count; this is.
 */
export async function eventsAfter(store: EventStore, position: bigint, cap = 100_000): Promise<number> {
  if (store.countAfter) return store.countAfter(position, cap)
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

/** The position in the store's feed a model resumes after. */
export async function feedPosition(model: ReadModel): Promise<bigint> {
  const { lanes } = await model.checkpoint()
  return BigInt(lanes[feedLane] ?? '0')
}

export interface CatchUpOptions {
  batchSize?: number
  signal?: AbortSignal
  /** Called after each batch with the number of events read so far. */
  onProgress?: (read: number) => void
}

/**
 * Applies the store's feed to `model` from its checkpoint until the feed holds nothing newer,
 * including what the model itself appends on the way; returns the number of events read.
 */
export async function catchUp(
  store: EventStore,
  model: ReadModel,
  options: CatchUpOptions = {},
): Promise<number> {
  let after = await feedPosition(model)
  let read = 0
  for (;;) {
    if (options.signal?.aborted) throw new Error('catch-up aborted')
    const events = await store.readAll({ after, maxCount: options.batchSize ?? 1000 })
    if (events.length === 0) return read
    await model.applyBatch(feedLane, events)
    read += events.length
    after = events[events.length - 1]!.position
    options.onProgress?.(read)
  }
}
