import type { EventStore } from '@trec/eventstore'
import { feedPosition } from './feed.ts'
import { feedLane } from './lanes.ts'
import type { ReadModel } from './read-model.ts'

/**
 * Where a read model's events come from. Embedded mode reads the store's feed in this process;
 * distributed mode reads Kafka (`kafkaSource` in @trec/relay). Either way the model applies
 * batches with its checkpoint in the same transaction. `follow` runs a source and retries it.
 */
export interface ProjectionSource {
  /** Feeds `model` until `signal` aborts; `onCaughtUp` fires when it reaches the head (where known). */
  run(model: ReadModel, options: { signal: AbortSignal; onCaughtUp?: () => void }): Promise<void>
}

export interface StoreFeedOptions {
  batchSize?: number
  /**
   * Read batch n + 1 while batch n is applied (default false): for a model whose batches are
   * mostly hashing or sending, not the database the feed is read from.
   */
  readAhead?: boolean
}

/** The store's own feed, from the model's checkpoint in the feed lane on. */
export function storeFeedSource(store: EventStore, options: StoreFeedOptions = {}): ProjectionSource {
  const { batchSize = 1000, readAhead: ahead = false } = options
  return {
    async run(model, { signal, onCaughtUp }) {
      const after = await feedPosition(model)
      const feed = store.subscribe({ after, signal, batchSize })
      for await (const batch of ahead ? readAhead(feed) : feed) {
        if (batch.events.length > 0) await model.applyBatch(feedLane, batch.events)
        if (batch.caughtUp) onCaughtUp?.()
      }
    },
  }
}

/**
 * Asks for the next item as soon as the current one is handed out, so the feed read of batch
 * n + 1 runs while batch n is being applied: the two use different connections (PostgreSQL) or
 * queue behind each other (PGlite), never block each other.
 */
async function* readAhead<T>(source: AsyncIterable<T>): AsyncGenerator<T> {
  const it = source[Symbol.asyncIterator]()
  let pending = it.next()
  try {
    for (;;) {
      const result = await pending
      if (result.done) return
      pending = it.next()
      pending.catch(() => undefined)
      yield result.value
    }
  } finally {
    await pending.catch(() => undefined)
    await it.return?.()
  }
}
