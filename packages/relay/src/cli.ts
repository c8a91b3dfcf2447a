// A relay process: `node packages/relay/src/cli.ts`, configured by environment variables.
// Used in distributed mode and by the crash tests (which kill it with SIGKILL).
import { openPostgresEventStore, pgExecutor } from '@trec/eventstore/postgres'
import { Kafka, logLevel } from 'kafkajs'
import pg from 'pg'
import { z } from 'zod'
import { SqlCheckpointStore } from './checkpoints.ts'
import { runRelay } from './relay.ts'

const env = z
  .object({
    DATABASE_URL: z.string().min(1),
    TREC_STORE_SCHEMA: z.string().default('trec'),
    TREC_RELAY_SCHEMA: z.string().default('trec_relay'),
    KAFKA_BROKERS: z.string().min(1),
    TREC_TOPIC: z.string().default('trec.events'),
  })
  .parse(process.env)

process.env.KAFKAJS_NO_PARTITIONER_WARNING = '1'
const store = await openPostgresEventStore({
  connectionString: env.DATABASE_URL,
  schema: env.TREC_STORE_SCHEMA,
  skipMigrate: true,
})
const checkpoints = new SqlCheckpointStore(
  pgExecutor(new pg.Pool({ connectionString: env.DATABASE_URL, max: 2 })),
  env.TREC_RELAY_SCHEMA,
)
await checkpoints.setup()
const kafka = new Kafka({
  clientId: 'trec-relay',
  brokers: env.KAFKA_BROKERS.split(','),
  logLevel: logLevel.NOTHING,
})
const controller = new AbortController()
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => controller.abort())
let published = 0
console.log(`relay: publishing to ${env.TREC_TOPIC}`)
await runRelay({
  store,
  kafka,
  topic: env.TREC_TOPIC,
  checkpoints,
  signal: controller.signal,
  onPublished: ({ events }) => {
    published += events
  },
  onError: (e) => console.error(`relay: retrying after ${(e as Error).message}`),
  onProducerReplaced: ({ type }) => console.error(`relay: a send failed (${type}); replaced the producer`),
})
console.log(`relay: stopped after ${published} events`)
await store.close()
process.exit(0)
