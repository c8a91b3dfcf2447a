// The scale proof (issue 7): a synthetic province of the size asked for, generated and pushed
// through every stage on PostgreSQL, each stage timed on its own: store append, relay to a real
// Kafka broker until caught up, each projection's catch-up from zero, the audit notary's catch-up
// (its tree must end the size of the store). Then bytes on disk per event, peak memory, and a
// linear extrapolation to Hebei's year (3.5×10⁷ events), written to BENCHMARKS.md (`scale`).
//
//   npx pnpm@10.34.9 scale -- --institutions 20          (a small run: about 30,000 events)
//   npx pnpm@10.34.9 scale -- --events 35000000          (Hebei's year; hours, see BENCHMARKS.md)
//
// Everything it creates (six schemas, one topic, the local broker) goes at the end, also on Ctrl-C.
import { randomUUID } from 'node:crypto'
import type { EventStore } from '@trec/eventstore'
import { openPostgresEventStore, pgExecutor } from '@trec/eventstore/postgres'
import { postgresForTests } from '@trec/eventstore/testing'
import { detectKafka, type KafkaForTests } from '@trec/infra-kafka'
import pg from 'pg'
import { writeSection } from '../bench/report.ts'
import { storeProvince } from './append-stage.ts'
import { dropSchemas, schemaBytes, storedEvents } from './disk.ts'
import { loadAverage, machine, postgresSettings } from './machine.ts'
import { notaryStage } from './notary-stage.ts'
import { parseOptions } from './options.ts'
import { projectionStages } from './projection-stages.ts'
import { dropTopic, relayStage } from './relay-stage.ts'
import { type ScaleRun, scaleSection } from './report.ts'

// kafkajs 2.2.4 schedules a timer with a negative delay on Node 24 (its issue #1751): harmless, so
// that one warning is not printed; every other warning is, as Node prints them.
process.removeAllListeners('warning')
process.on('warning', (warning) => {
  if (warning.name !== 'TimeoutNegativeWarning') console.error(`(node) ${warning.name}: ${warning.message}`)
})

const parsed = parseOptions(process.argv.slice(2))
if ('help' in parsed) {
  console.log(parsed.help)
  process.exit(0)
}
const o = parsed
const found = await postgresForTests()
if ('skip' in found) throw new Error(found.skip)
const server = found

const tag = randomUUID().replaceAll('-', '').slice(0, 8)
const schemas = {
  store: `scale_store_${tag}`,
  relay: `scale_relay_${tag}`,
  archive: `scale_archive_${tag}`,
  compliance: `scale_compliance_${tag}`,
  oversight: `scale_oversight_${tag}`,
  audit: `scale_audit_${tag}`,
}
const topic = `scale-${tag}`
const pool = new pg.Pool({ connectionString: server.url, max: 4, application_name: 'trec-scale' })
pool.on('error', () => undefined)
const db = pgExecutor(pool)
let store: EventStore | undefined
let kafka: KafkaForTests | undefined
let topicMade = false

// Cleanup runs once, at the end or on Ctrl-C / SIGTERM.
let cleaning: Promise<void> | undefined
function cleanup(): Promise<void> {
  cleaning ??= (async () => {
    const step = async (what: string, fn: () => Promise<unknown>) => {
      try {
        await fn()
      } catch (error) {
        console.error(`cleanup: ${what}: ${error instanceof Error ? error.message : String(error)}`)
      }
    }
    if (kafka && topicMade && !(o.keep && kafka.source === 'env'))
      await step('topic', () => dropTopic(kafka!, topic))
    if (kafka) await step('Kafka', () => kafka!.stop())
    if (store) await step('store', () => store!.close())
    if (!o.keep) await step('schemas', () => dropSchemas(pool, Object.values(schemas)))
    else console.error(`kept schemas ${Object.values(schemas).join(', ')}`)
    await step('pool', () => pool.end())
  })()
  return cleaning
}
for (const signal of ['SIGINT', 'SIGTERM'] as const)
  process.once(signal, () => {
    console.error(`\n${signal}: dropping what the run made`)
    cleanup().finally(() => process.exit(130))
  })

/** The process's peak resident memory after each stage (maxRSS only grows: it shows where it grew). */
const memory: { stage: string; maxRss: number }[] = []
const mark = (stage: string) => memory.push({ stage, maxRss: process.resourceUsage().maxRSS * 1024 })

async function main(): Promise<void> {
  const loadBefore = loadAverage()
  const postgres = await postgresSettings(pool)
  const plan = await detectKafka()
  console.log(
    `scale: ${o.command}; PostgreSQL ${server.url.replace(/\/\/.*@/, '//')} (schemas scale_*_${tag}); Kafka: ${'skip' in plan ? `none (${plan.skip})` : plan.description}; load ${loadBefore}`,
  )
  store = await openPostgresEventStore({
    connectionString: server.url,
    schema: schemas.store,
    maxConnections: 4,
  })
  const province = await storeProvince(store, o)
  mark('province stored')
  const stored = await storedEvents(pool, schemas.store)
  if (stored !== province.events) throw new Error(`the store holds ${stored} events, not ${province.events}`)

  let relay: ScaleRun['relay']
  if ('skip' in plan) relay = { skipped: plan.skip }
  else {
    kafka = await plan.start()
    topicMade = true
    relay = await relayStage({
      url: server.url,
      storeSchema: schemas.store,
      checkpointDb: db,
      checkpointSchema: schemas.relay,
      kafka,
      topic,
      total: stored,
    })
    // The broker's CPU and memory go back to the stages that follow.
    if (!(o.keep && kafka.source === 'env')) await dropTopic(kafka, topic)
    topicMade = false
    await kafka.stop()
    kafka = undefined
    mark('relay')
  }

  const projections = await projectionStages({
    db,
    pool,
    store,
    schemaOf: (name) => schemas[name as 'archive' | 'compliance' | 'oversight'],
    total: stored,
    keep: o.keep,
  })
  mark('projections')
  const finalEvents = await storedEvents(pool, schemas.store)
  const notary = await notaryStage(db, store, schemas.audit, finalEvents)
  mark('notary')
  const disk = {
    store: await schemaBytes(pool, schemas.store),
    audit: await schemaBytes(pool, schemas.audit),
  }
  const run: ScaleRun = {
    options: o,
    date: new Date().toISOString(),
    machine: machine(),
    loadBefore,
    loadAfter: loadAverage(),
    postgres,
    kafka: 'skip' in plan ? `none: ${plan.skip}` : `${plan.description}, one broker, replication factor 1`,
    province,
    stored,
    relay,
    projections,
    notary,
    finalEvents,
    disk,
    maxRss: process.resourceUsage().maxRSS * 1024,
    memory,
  }
  const section = scaleSection(run)
  console.log(`\n${section.join('\n')}\n`)
  if (o.report) await writeSection('scale', section)
  if (notary.size !== finalEvents) {
    console.error(`the notary's tree has ${notary.size} leaves but the store holds ${finalEvents} events`)
    process.exitCode = 1
  }
}

try {
  await main()
} catch (error) {
  console.error(error)
  process.exitCode = 1
} finally {
  await cleanup()
}
