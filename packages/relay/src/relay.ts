import type { EventStore } from '@trec/eventstore'
import type { Producer } from 'kafkajs'
import type { CheckpointStore } from './checkpoints.ts'
import { toMessage } from './message.ts'

export interface RelayOptions {
  store: EventStore
  /** Create it with `{ idempotent: true, maxInFlightRequests: 1 }` so retries neither duplicate nor reorder. */
  producer: Producer
  topic: string
  checkpoints: CheckpointStore
  /** Checkpoint name (default `relay:<topic>`). */
  name?: string
  batchSize?: number
  signal?: AbortSignal
  onPublished?: (info: { events: number; position: bigint }) => void
  /** Called when a pass fails (broker or store down) before the relay retries from its checkpoint. */
  onError?: (error: unknown) => void
  /** Longest wait between retries (ms, default 2,000). */
  maxBackoffMs?: number
}

/**
 * Tails the store's feed and publishes every event to Kafka in feed order. The checkpoint is
 * saved only after the broker has acknowledged the batch (acks from all in-sync replicas), so
 * a crash loses nothing; it may publish the last unacknowledged batch again, which consumers
 * drop by global position (see `runFromKafka`). Resolves when `signal` aborts.
 */
export async function runRelay(options: RelayOptions): Promise<void> {
  let backoff = 50
  while (!options.signal?.aborted) {
    try {
      await relayPass(options)
      return
    } catch (error) {
      if (options.signal?.aborted) return
      options.onError?.(error)
      await new Promise((r) => setTimeout(r, backoff))
      backoff = Math.min(backoff * 2, options.maxBackoffMs ?? 2000)
    }
  }
}

async function relayPass(options: RelayOptions): Promise<void> {
  const { store, producer, topic, checkpoints, signal } = options
  const name = options.name ?? `relay:${topic}`
  const after = await checkpoints.load(name)
  for await (const batch of store.subscribe({ after, signal, batchSize: options.batchSize ?? 1000 })) {
    if (batch.events.length === 0) continue
    await producer.send({ topic, acks: -1, messages: batch.events.map(toMessage) })
    const position = batch.events[batch.events.length - 1]!.position
    await checkpoints.save(name, position)
    options.onPublished?.({ events: batch.events.length, position })
  }
}
