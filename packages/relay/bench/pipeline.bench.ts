// Store → relay → Kafka → projection, on a real PostgreSQL and a real Kafka broker:
// (1) sustained events/s end to end, (2) end-to-end lag p50/p99 at a steady 2,000 events/s.
// Run: pnpm bench:pipeline   (BENCH_SECONDS shortens the paced phase; BENCH_EVENTS the burst)
import { randomBytes, randomUUID } from 'node:crypto'
import { uuidv7 } from '@trec/core'
import type { EventToAppend } from '@trec/eventstore'
import { openPostgresEventStore, pgExecutor } from '@trec/eventstore/postgres'
import { postgresForTests } from '@trec/eventstore/testing'
import { detectKafka } from '@trec/infra-kafka'
import { type Projection, ProjectionRunner } from '@trec/projections'
import { Kafka, logLevel } from 'kafkajs'
import pg from 'pg'
import { writeSection } from '../../../tests/bench/report.ts'
import { SqlCheckpointStore } from '../src/checkpoints.ts'
import { kafkaSource } from '../src/consume.ts'
import { runRelay } from '../src/relay.ts'

process.env.KAFKAJS_NO_PARTITIONER_WARNING = '1'
const burstEvents = Number(process.env.BENCH_EVENTS ?? 60_000)
const pacedSeconds = Number(process.env.BENCH_SECONDS ?? 20)
const pacedRate = 2000

const server = await postgresForTests()
if ('skip' in server) throw new Error(server.skip)
const plan = await detectKafka()
if ('skip' in plan) throw new Error(plan.skip)
console.log(`pipeline bench: PostgreSQL ${server.url.replace(/\/\/.*@/, '//')}, Kafka: ${plan.description}`)
const kafka = await plan.start()
const client = new Kafka({
  clientId: 'trec-bench',
  brokers: kafka.brokers,
  logLevel: process.env.BENCH_KAFKA_LOG ? Number(process.env.BENCH_KAFKA_LOG) : logLevel.NOTHING,
})
const pool = new pg.Pool({ connectionString: server.url, max: 8 })
const suffix = randomUUID().slice(0, 8)
const schemas = [`bench_store_${suffix}`, `bench_relay_${suffix}`, `bench_read_${suffix}`]

// Set-based, as a production projection should be: one statement per batch.
const lags: number[] = []
let measuring = false
const counts: Projection = {
  name: 'bench',
  version: 1,
  tables: { by_stream: 'stream text primary key, events int not null, last_revision int not null' },
  async apply(events, { query, table }) {
    const rows = new Map<string, { n: number; rev: number }>()
    for (const e of events) rows.set(e.stream, { n: (rows.get(e.stream)?.n ?? 0) + 1, rev: e.revision })
    await query(
      `insert into ${table('by_stream')} (stream, events, last_revision)
       select s, n, r from unnest($1::text[], $2::int[], $3::int[]) as t(s, n, r)
       on conflict (stream) do update set events = ${table('by_stream')}.events + excluded.events,
         last_revision = excluded.last_revision`,
      [[...rows.keys()], [...rows.values()].map((v) => v.n), [...rows.values()].map((v) => v.rev)],
    )
    if (measuring) {
      const now = Date.now()
      for (const e of events) lags.push(now - Date.parse(e.recordedAt))
    }
  },
}

const workers = Array.from({ length: 5000 }, () => randomBytes(16).toString('hex'))
const event = (i: number): EventToAppend => ({
  id: uuidv7(),
  type: 'FaceCheckRecorded',
  data: {
    worker: workers[i % workers.length]!,
    class: 'class-b1',
    session: `s${i % 40}`,
    result: 'pass',
    matchScore: 0.93,
    checkedAt: new Date().toISOString(),
  },
  metadata: {
    schemaVersion: 2,
    actor: { kind: 'device', id: 'dev-1' },
    source: 'trec.attendance',
    region: '130102',
  },
})

const writer = await openPostgresEventStore({
  connectionString: server.url,
  schema: schemas[0]!,
  maxConnections: 8,
})
// The relay reads through its own store instance, as a separate process would (no in-process wake-ups).
const relayStore = await openPostgresEventStore({
  connectionString: server.url,
  schema: schemas[0]!,
  skipMigrate: true,
  maxConnections: 2,
})
const topic = `bench-${suffix}`
const admin = client.admin()
await admin.connect()
await admin.createTopics({ topics: [{ topic, numPartitions: 3 }], waitForLeaders: true })
await admin.disconnect()
const checkpoints = new SqlCheckpointStore(pgExecutor(pool), schemas[1]!)
await checkpoints.setup()
const stop = new AbortController()
let published = 0
const relay = runRelay({
  store: relayStore,
  kafka: client,
  topic,
  checkpoints,
  signal: stop.signal,
  onPublished: ({ events }) => {
    published += events
  },
})
const runner = new ProjectionRunner(pgExecutor(pool), counts, { schema: schemas[2]! })
await runner.setup()
const consumer = client.consumer({ groupId: `bench-${suffix}`, maxWaitTimeInMs: 100 })
const projection = kafkaSource(consumer, topic).run(runner, { signal: stop.signal })

async function waitApplied(total: number, label: string) {
  let last = 0
  let since = Date.now()
  let lastSeen = -1
  for (;;) {
    const { eventsApplied } = await runner.status()
    if (eventsApplied >= total) return
    if (eventsApplied !== lastSeen) {
      lastSeen = eventsApplied
      since = Date.now()
    } else if (Date.now() - since > 10_000 && process.env.BENCH_DEBUG) {
      const a = client.admin()
      await a.connect()
      console.log(
        '\nSTUCK',
        JSON.stringify(await runner.checkpoint()),
        JSON.stringify(await a.fetchOffsets({ groupId: `bench-${suffix}`, topics: [topic] })),
        JSON.stringify(await a.fetchTopicOffsets(topic)),
      )
      await a.disconnect()
      since = Date.now()
    }
    if (eventsApplied - last >= 10_000 || Date.now() % 2000 < 60) {
      process.stdout.write(`\r  ${label}: relayed ${published}, projected ${eventsApplied} of ${total}   `)
      last = eventsApplied
    }
    await new Promise((r) => setTimeout(r, 50))
  }
}

// Phase 1: a burst as fast as the writers go (batches of 100, 4 writers); time until projected.
console.log(
  `phase 1: ${burstEvents} events, appended in batches of 100 by 4 writers, through to the projection`,
)
const t0 = performance.now()
let next = 0
await Promise.all(
  Array.from({ length: 4 }, async (_, w) => {
    while (next < burstEvents) {
      const start = next
      next += 100
      await writer.append(
        `attendance-${workers[(start / 100 + w) % workers.length]}`,
        Array.from({ length: 100 }, (_, i) => event(start + i)),
      )
    }
  }),
)
const appendedMs = performance.now() - t0
await waitApplied(burstEvents, 'burst')
const burstMs = performance.now() - t0
console.log(
  `\n  appended in ${(appendedMs / 1000).toFixed(1)} s; projected end to end in ${(burstMs / 1000).toFixed(1)} s`,
)

// Phase 2: a steady 2,000 events/s of single-event appends; lag from recordedAt to projection.
console.log(
  `phase 2: ${pacedRate} events/s for ${pacedSeconds} s, single-event appends, measuring end-to-end lag`,
)
measuring = true
const pacedTotal = pacedRate * pacedSeconds
const t1 = performance.now()
let sent = 0
const inFlight = new Set<Promise<unknown>>()
while (sent < pacedTotal) {
  const due = Math.floor(((performance.now() - t1) / 1000) * pacedRate)
  while (sent < Math.min(due, pacedTotal)) {
    const i = burstEvents + sent++
    const p = writer
      .append(`attendance-${workers[i % workers.length]}`, [event(i)])
      .finally(() => inFlight.delete(p))
    inFlight.add(p)
  }
  await new Promise((r) => setTimeout(r, 2))
}
await Promise.all(inFlight)
const pacedMs = performance.now() - t1
await waitApplied(burstEvents + pacedTotal, 'paced')
console.log()
stop.abort()
await Promise.all([relay, projection])

lags.sort((a, b) => a - b)
const pct = (p: number) => lags[Math.min(lags.length - 1, Math.floor((p / 100) * lags.length))]!
const sustained = Math.round(burstEvents / (burstMs / 1000))
const results = {
  burstEvents,
  appendRate: Math.round(burstEvents / (appendedMs / 1000)),
  sustained,
  pacedRate: Math.round(pacedTotal / (pacedMs / 1000)),
  p50: pct(50),
  p99: pct(99),
  max: lags[lags.length - 1]!,
  samples: lags.length,
}
console.table(results)
await writeSection('pipeline-bench', [
  '### Event backbone: store → relay → Kafka → projection',
  '',
  `Command: \`pnpm bench:pipeline\` (PostgreSQL 127.0.0.1:5432, one local Kafka ${kafka.source === 'local' ? '3.9 broker from Maven jars' : 'broker'}, 3 partitions, relay and projection in one Node process; the relay reads through its own store connection, as a separate process would).`,
  '',
  '| measure | result | target |',
  '| --- | --- | --- |',
  `| sustained end to end (${burstEvents.toLocaleString('en')} events appended in batches of 100 by 4 writers, until all projected) | ${sustained.toLocaleString('en')} events/s | ≥ 10,000 events/s |`,
  `| append rate during that burst | ${results.appendRate.toLocaleString('en')} events/s | |`,
  `| end-to-end lag at ${results.pacedRate.toLocaleString('en')} events/s (single-event appends, ${pacedSeconds} s, recordedAt → projection transaction), p50 | ${results.p50} ms | |`,
  `| same, p99 | ${results.p99} ms | < 1,000 ms |`,
  `| same, max | ${results.max} ms | |`,
  '',
])
await writer.close()
await relayStore.close()
for (const s of schemas) await pool.query(`drop schema if exists "${s}" cascade`)
await pool.end()
await kafka.stop()
process.exit(0)
