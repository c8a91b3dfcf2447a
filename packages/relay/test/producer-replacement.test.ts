// The relay's recovery from a producer whose sequence state the broker rejects, with a producer
// double that fails the way KafkaJS does (a KafkaJSNonRetriableError whose cause is the
// KafkaJSProtocolError OUT_OF_ORDER_SEQUENCE_NUMBER) and a store double holding a fixed feed.
// The real broker case is in relay.int.test.ts.
import type { EventStore, FeedBatch, RecordedEvent, SubscribeOptions } from '@trec/eventstore'
import { KafkaJSNonRetriableError, KafkaJSProtocolError, type Message, type Producer } from 'kafkajs'
import { describe, expect, it } from 'vitest'
import type { CheckpointStore } from '../src/checkpoints.ts'
import { producerStateError } from '../src/producer-state.ts'
import { runRelay } from '../src/relay.ts'

function protocolError(type: string, code: number, message: string): Error {
  const protocol = new KafkaJSProtocolError(
    Object.assign(new Error(message), { type, code, retriable: false }),
  )
  // What KafkaJS's retrier throws when it gives up on a non-retriable error.
  return Object.assign(new KafkaJSNonRetriableError(protocol), { cause: protocol })
}

const outOfOrder = () =>
  protocolError('OUT_OF_ORDER_SEQUENCE_NUMBER', 45, 'The broker received an out of order sequence number')

function feed(n: number): RecordedEvent[] {
  return Array.from({ length: n }, (_, i) => ({
    id: `e${i + 1}`,
    stream: `class-c${i % 3}`,
    revision: Math.floor(i / 3),
    position: BigInt(i + 1),
    type: 'FaceCheckRecorded',
    data: { i },
    metadata: { schemaVersion: 2 },
    recordedAt: new Date(0).toISOString(),
  }))
}

/** Serves `events` in batches after the checkpoint, then idles until aborted. */
function storeOf(events: RecordedEvent[]): EventStore {
  return {
    async *subscribe(options: SubscribeOptions = {}): AsyncIterable<FeedBatch> {
      const rest = events.filter((e) => e.position > (options.after ?? 0n))
      const size = options.batchSize ?? 1000
      for (let i = 0; i < rest.length; i += size)
        yield { events: rest.slice(i, i + size), caughtUp: i + size >= rest.length }
      while (!options.signal?.aborted) await new Promise((r) => setTimeout(r, 5))
    },
  } as Partial<EventStore> as EventStore
}

function memoryCheckpoints(): CheckpointStore & { position: bigint } {
  return {
    position: 0n,
    async load() {
      return this.position
    },
    async save(_name, position) {
      if (position > this.position) this.position = position
    },
  }
}

/**
 * Producers that publish into `published`; the first one fails with `failure()` from its
 * `failFrom`-th send on, for good, as a producer out of step with the broker does.
 */
function producers(failure: () => Error, failFrom: number) {
  const published: Message[] = []
  const made: { connected: boolean; sends: number }[] = []
  const kafka = {
    producer(config?: { idempotent?: boolean; maxInFlightRequests?: number }): Producer {
      expect(config).toMatchObject({ idempotent: true, maxInFlightRequests: 1 })
      const state = { connected: false, sends: 0 }
      const first = made.length === 0
      made.push(state)
      return {
        async connect() {
          state.connected = true
        },
        async disconnect() {
          state.connected = false
        },
        async send({ messages }: { messages: Message[] }) {
          if (!state.connected) throw new Error('send on a disconnected producer')
          state.sends++
          if (first && state.sends >= failFrom) throw failure()
          published.push(...messages)
          return []
        },
      } as Partial<Producer> as Producer
    },
  }
  return { kafka, published, made }
}

async function waitFor(what: string, check: () => boolean, ms = 5000) {
  const deadline = Date.now() + ms
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 5))
  }
}

describe('relay producer replacement', () => {
  it('finds the producer-state error type inside the errors KafkaJS wraps it in', () => {
    expect(producerStateError(outOfOrder())).toBe('OUT_OF_ORDER_SEQUENCE_NUMBER')
    expect(producerStateError(protocolError('UNKNOWN_PRODUCER_ID', 59, 'unknown producer'))).toBe(
      'UNKNOWN_PRODUCER_ID',
    )
    expect(
      producerStateError(
        new AggregateError([new Error('x'), protocolError('INVALID_PRODUCER_EPOCH', 47, 'old')]),
      ),
    ).toBe('INVALID_PRODUCER_EPOCH')
    expect(producerStateError(protocolError('NOT_LEADER_FOR_PARTITION', 6, 'not leader'))).toBeUndefined()
    expect(producerStateError(new Error('connection refused'))).toBeUndefined()
  })

  it('replaces a producer stuck on OUT_OF_ORDER_SEQUENCE_NUMBER and publishes the rest from the checkpoint', async () => {
    const events = feed(500)
    const checkpoints = memoryCheckpoints()
    const { kafka, published, made } = producers(outOfOrder, 3)
    const replaced: string[] = []
    const errors: unknown[] = []
    const controller = new AbortController()
    const done = runRelay({
      store: storeOf(events),
      kafka,
      topic: 't',
      checkpoints,
      batchSize: 100,
      signal: controller.signal,
      maxBackoffMs: 20,
      onError: (e) => errors.push(e),
      onProducerReplaced: ({ type }) => replaced.push(type),
    })
    await waitFor(
      `every event to be published (${published.length} so far)`,
      () => checkpoints.position === 500n,
    )
    controller.abort()
    await done
    // Two batches went out before the failure; the new producer sent the other three, once each.
    expect(replaced).toEqual(['OUT_OF_ORDER_SEQUENCE_NUMBER'])
    expect(errors).toHaveLength(1)
    expect(made).toHaveLength(2)
    expect(made.every((p) => !p.connected)).toBe(true)
    const positions = published.map((m) => Number(m.headers!['global-position']))
    expect(positions).toEqual(events.map((e) => Number(e.position)))
  })

  it('replaces the producer after any failed send, the broker down too, and publishes once it is back', async () => {
    // A send whose answer was lost may have been written, and KafkaJS takes its numbers back: a
    // later batch as large under the same numbers would be acknowledged and not written.
    const checkpoints = memoryCheckpoints()
    let failures = 0
    const transient = () => {
      failures++
      return new Error('Connection error: connect ECONNREFUSED')
    }
    const { kafka, made, published } = producers(transient, 1)
    const replaced: string[] = []
    const controller = new AbortController()
    const done = runRelay({
      store: storeOf(feed(10)),
      kafka,
      topic: 't',
      checkpoints,
      signal: controller.signal,
      maxBackoffMs: 5,
      onProducerReplaced: ({ type }) => replaced.push(type),
    })
    await waitFor('every event to be published', () => checkpoints.position === 10n)
    controller.abort()
    await done
    expect(failures).toBe(1)
    expect(replaced).toEqual(['send_failed'])
    expect(made).toHaveLength(2)
    expect(made.every((p) => !p.connected)).toBe(true)
    expect(published).toHaveLength(10)
  })
})
