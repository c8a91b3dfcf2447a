import { readdir, stat } from 'node:fs/promises'
import { join } from 'node:path'
import type { SqlExecutor } from '@trec/eventstore'
import { openPostgresEventStore } from '@trec/eventstore/postgres'
import type { KafkaForTests } from '@trec/infra-kafka'
import { runRelay, SqlCheckpointStore } from '@trec/relay'
import { Kafka, logLevel } from 'kafkajs'
import { progress } from './progress.ts'

export interface RelayFigures {
  events: number
  ms: number
  partitions: number
  /** Bytes of the topic's log segments on the broker's disk, when the broker is local. */
  logBytes?: number
}

export const partitions = 3

/**
 * The relay from zero: it tails the store's feed (through a store connection of its own, as the
 * relay process would) and publishes to a fresh topic of `partitions` partitions on a real
 * broker (idempotent producer, acks from all in-sync replicas, checkpoint after each ack) until
 * it has published `total` events.
 */
export async function relayStage(input: {
  url: string
  storeSchema: string
  checkpointDb: SqlExecutor
  checkpointSchema: string
  kafka: KafkaForTests
  topic: string
  total: number
}): Promise<RelayFigures> {
  process.env.KAFKAJS_NO_PARTITIONER_WARNING = '1'
  const client = new Kafka({
    clientId: 'trec-scale',
    brokers: input.kafka.brokers,
    logLevel: logLevel.NOTHING,
  })
  const admin = client.admin()
  await admin.connect()
  await admin.createTopics({
    topics: [{ topic: input.topic, numPartitions: partitions }],
    waitForLeaders: true,
  })
  await admin.disconnect()
  const store = await openPostgresEventStore({
    connectionString: input.url,
    schema: input.storeSchema,
    skipMigrate: true,
    maxConnections: 2,
  })
  const checkpoints = new SqlCheckpointStore(input.checkpointDb, input.checkpointSchema)
  await checkpoints.setup()
  const bar = progress('relay → Kafka')
  const stop = new AbortController()
  let published = 0
  let failure: unknown
  const started = performance.now()
  const caughtUp = Promise.withResolvers<void>()
  const relay = runRelay({
    store,
    kafka: client,
    topic: input.topic,
    checkpoints,
    signal: stop.signal,
    onPublished: ({ events }) => {
      published += events
      bar.update(published, input.total)
      if (published >= input.total) caughtUp.resolve()
    },
    onError: (error) => {
      failure = error
    },
  })
  // The relay retries a failed pass by itself; a minute without progress ends the stage.
  let seen = -1
  let since = performance.now()
  const watchdog = setInterval(() => {
    if (published !== seen) {
      seen = published
      since = performance.now()
    } else if (performance.now() - since > 60_000)
      caughtUp.reject(new Error(`the relay made no progress for 60 s (last error: ${String(failure)})`))
  }, 1000)
  let ms: number
  try {
    if (input.total > 0) await caughtUp.promise
    ms = performance.now() - started
    bar.finish()
  } finally {
    clearInterval(watchdog)
    stop.abort()
    await relay
    await store.close()
  }
  const logBytes = await topicLogBytes(input.kafka, input.topic)
  return { events: published, ms, partitions, ...(logBytes === undefined ? {} : { logBytes }) }
}

/** The size of the topic's `.log` segment files (not the preallocated indexes), local broker only. */
async function topicLogBytes(kafka: KafkaForTests, topic: string): Promise<number | undefined> {
  if (!kafka.broker) return undefined
  const data = join(kafka.broker.dir, 'data')
  let bytes = 0
  for (const dir of await readdir(data)) {
    if (!dir.startsWith(`${topic}-`) || !/^\d+$/.test(dir.slice(topic.length + 1))) continue
    for (const file of await readdir(join(data, dir)))
      if (file.endsWith('.log')) bytes += (await stat(join(data, dir, file))).size
  }
  return bytes
}

/** Deletes the topic (the broker removes its files in the background). */
export async function dropTopic(kafka: KafkaForTests, topic: string): Promise<void> {
  const client = new Kafka({ clientId: 'trec-scale', brokers: kafka.brokers, logLevel: logLevel.NOTHING })
  const admin = client.admin()
  await admin.connect()
  try {
    await admin.deleteTopics({ topics: [topic] })
  } finally {
    await admin.disconnect()
  }
}
