import type { EventStore } from '@trec/eventstore'
import { feedLane, follow, type ReadModel, storeFeedSource } from '@trec/projections'
import type { Kafka, Producer } from 'kafkajs'
import type { CheckpointStore } from './checkpoints.ts'
import { toMessage } from './message.ts'
import { producerStateError } from './producer-state.ts'

export interface RelayOptions {
  store: EventStore
  /**
   * Makes the relay's producers. The relay owns them: it creates one with
   * `{ idempotent: true, maxInFlightRequests: 1 }` (so retries neither duplicate nor reorder),
   * connects it, replaces it after any failed send and disconnects it when it stops.
   */
  kafka: Pick<Kafka, 'producer'>
  topic: string
  checkpoints: CheckpointStore
  /** Checkpoint name (default `relay:<topic>`). */
  name?: string
  batchSize?: number
  signal?: AbortSignal
  onPublished?: (info: { events: number; position: bigint }) => void
  /** Called when a pass fails (broker or store down) before the relay retries from its checkpoint. */
  onError?: (error: unknown) => void
  /**
   * Called after `onError` when a send failed: the relay has dropped that producer and the next
   * pass publishes from the checkpoint with a new one. `type` is the producer-state error the
   * broker answered (e.g. `OUT_OF_ORDER_SEQUENCE_NUMBER`), or `send_failed` for any other failure.
   */
  onProducerReplaced?: (info: { type: string; error: unknown }) => void
  /** Longest wait between retries (ms, default 2,000). */
  maxBackoffMs?: number
}

/**
 * Follows the store's feed, as a `ReadModel` of the one runner in @trec/projections, and
 * publishes every event to Kafka in feed order. The checkpoint is saved only after the broker has acknowledged the batch (acks from all in-sync replicas), so
 * a crash loses nothing; it may publish the last unacknowledged batch again, which consumers
 * drop by global position (see `runFromKafka`). A producer whose sequence state the broker
 * rejects is replaced, and the new one starts again from the checkpoint, under the same
 * at-least-once rule. Resolves when `signal` aborts.
 */
export async function runRelay(options: RelayOptions): Promise<void> {
  const name = options.name ?? `relay:${options.topic}`
  let producer: Producer | undefined
  let failedSend: unknown
  const relay: ReadModel = {
    name,
    checkpoint: async () => ({
      lanes: { [feedLane]: (await options.checkpoints.load(name)).toString() },
      source: {},
    }),
    async resume() {
      producer ??= await connectProducer(options.kafka)
    },
    async applyBatch(_lane, events) {
      // Every event the feed hands over is past the checkpoint: a round starts from it.
      if (!producer) throw new Error('the relay has no producer')
      try {
        await producer.send({ topic: options.topic, acks: -1, messages: events.map(toMessage) })
      } catch (error) {
        // Whatever failed, this producer's sequence numbers can no longer be trusted (README,
        // "Producer replacement"): a later batch of as many records sent under numbers the broker
        // already holds is acknowledged as a duplicate and not written. A new producer (a new
        // producer id, numbering from zero) publishes from the checkpoint instead.
        failedSend = error
        throw error
      }
      const position = events[events.length - 1]!.position
      await options.checkpoints.save(name, position)
      options.onPublished?.({ events: events.length, position })
      return events.length
    },
    async settle() {
      await producer?.disconnect().catch(() => undefined)
    },
  }
  await follow(storeFeedSource(options.store, { batchSize: options.batchSize ?? 1000 }), relay, {
    signal: options.signal ?? new AbortController().signal,
    retryMs: 50,
    maxRetryMs: options.maxBackoffMs ?? 2000,
    async onError(error) {
      options.onError?.(error)
      if (producer && failedSend !== undefined) {
        const stale = producer
        producer = undefined
        failedSend = undefined
        await stale.disconnect().catch(() => undefined)
        options.onProducerReplaced?.({ type: producerStateError(error) ?? 'send_failed', error })
      }
    },
  })
}

async function connectProducer(kafka: Pick<Kafka, 'producer'>): Promise<Producer> {
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 })
  try {
    await producer.connect()
  } catch (error) {
    await producer.disconnect().catch(() => undefined)
    throw error
  }
  return producer
}
