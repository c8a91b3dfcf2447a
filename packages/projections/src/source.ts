import type { EventStore } from '@trec/eventstore'
import { feedLane, type ProjectionRunner } from './runner.ts'

/**
 * Where a projection's events come from. Embedded mode reads the store's feed in this
 * process; distributed mode reads Kafka (`kafkaSource` in @trec/relay). Either way the runner
 * applies batches with its checkpoint in the same transaction.
 */
export interface ProjectionSource {
  /** Feeds `runner` until `signal` aborts; `onCaughtUp` fires when it reaches the head (where known). */
  run(runner: ProjectionRunner, options: { signal: AbortSignal; onCaughtUp?: () => void }): Promise<void>
}

export function storeFeedSource(store: EventStore, batchSize = 1000): ProjectionSource {
  return {
    async run(runner, { signal, onCaughtUp }) {
      const { lanes } = await runner.checkpoint()
      const after = BigInt(lanes[feedLane] ?? '0')
      for await (const batch of store.subscribe({ after, signal, batchSize })) {
        if (batch.events.length > 0) await runner.applyBatch(feedLane, batch.events)
        if (batch.caughtUp) onCaughtUp?.()
      }
    },
  }
}
