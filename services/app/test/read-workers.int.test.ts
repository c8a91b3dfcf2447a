// Distributed mode's read side on a real Kafka broker and a real PostgreSQL: two read-worker
// processes (services/app/src/read-worker-main.ts) split the topic's partitions in their consumer
// groups while a synthetic province is written to the store and relayed; one is killed with
// SIGKILL in the middle, the other takes its partitions over, and the relay publishes the last two
// thirds of the feed a second time (as after a crash of its own). Afterwards each read model holds
// exactly what a clean rebuild from the store holds (same digest), and its checkpoint counts every
// event once: no event was applied twice, none skipped.
import { type ChildProcess, spawn } from 'node:child_process'
import { randomUUID } from 'node:crypto'
import { join } from 'node:path'
import { postgresForTests } from '@trec/eventstore/testing'
import { buildProvince, writeEvents } from '@trec/generator'
import { detectKafka, kafkaForTests } from '@trec/infra-kafka'
import { ProjectionRunner, rebuild } from '@trec/projections'
import { runRelay, SqlCheckpointStore } from '@trec/relay'
import { Kafka, logLevel } from 'kafkajs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { loadConfig } from '../src/config.ts'
import { openRuntime, type Runtime } from '../src/open-store.ts'
import { readModelsOf } from '../src/read-models.ts'
import { ownDatabase } from './own-database.ts'

process.env.KAFKAJS_NO_PARTITIONER_WARNING = '1'
const server = await postgresForTests()
const plan = await detectKafka()
const skip = 'skip' in server ? server.skip : 'skip' in plan ? plan.skip : undefined
const suite = skip ? describe.skip : describe

const workerMain = join(import.meta.dirname, '../src/read-worker-main.ts')
const partitions = 4

async function until(what: () => string, check: () => Promise<boolean> | boolean, ms = 120_000) {
  const deadline = Date.now() + ms
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what()}`)
    await new Promise((r) => setTimeout(r, 200))
  }
}

interface Worker {
  child: ChildProcess
  out: () => string
  /** Partitions held per read model, from the worker's latest assignment log line. */
  held: (model: string) => number[]
}

suite(
  skip
    ? `read workers on Kafka (skipped: ${skip})`
    : 'read workers on Kafka: kill -9 one, the other takes over',
  () => {
    let database: Awaited<ReturnType<typeof ownDatabase>> | undefined
    const topic = `trec.events.${randomUUID().slice(0, 8)}`
    let url = ''
    let kafka: Awaited<ReturnType<typeof kafkaForTests>>
    let brokers: string[] = []
    let runtime: Runtime
    const workers: Worker[] = []
    let relay = new AbortController()
    let relaying: Promise<void> | undefined

    beforeAll(async () => {
      kafka = await kafkaForTests()
      brokers = 'brokers' in kafka ? kafka.brokers : []
      database = await ownDatabase((server as { url: string }).url, 'trec_readers')
      url = database.url
      runtime = await openRuntime(loadConfig({ TREC_STORE: 'postgres', DATABASE_URL: url }))
    }, 600_000)
    afterAll(async () => {
      for (const w of workers)
        if (w.child.exitCode === null && w.child.signalCode === null) w.child.kill('SIGKILL')
      relay.abort()
      await relaying
      await runtime?.close()
      if (kafka && 'stop' in kafka) await kafka.stop()
      await database?.drop()
    }, 120_000)

    function startWorker(name: string): Worker {
      const child = spawn(process.execPath, [workerMain], {
        env: {
          PATH: process.env.PATH,
          TREC_STORE: 'postgres',
          DATABASE_URL: url,
          KAFKA_BROKERS: brokers.join(','),
          TREC_TOPIC: topic,
          TREC_SERVICES: 'archive,compliance',
          TREC_READ_SESSION_TIMEOUT_MS: '6000',
          TREC_PORT: '0',
          TREC_LOG_LEVEL: 'info',
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      })
      let out = ''
      const add = (c: Buffer) => {
        out += c.toString()
      }
      child.stdout!.on('data', add)
      child.stderr!.on('data', add)
      const held = (model: string) => {
        const lines = out.split('\n').filter((l) => l.includes(`read worker: ${model} holds partitions`))
        const last = lines[lines.length - 1]
        const m = last ? /holds partitions ([\d,]*)/.exec(last) : null
        return m?.[1] ? m[1].split(',').map(Number) : []
      }
      const worker = { child, out: () => `${name}:\n${out}`, held }
      workers.push(worker)
      return worker
    }

    it('splits the partitions, survives a SIGKILL, and ends equal to a clean rebuild with every event applied once', async () => {
      const { events } = buildProvince({
        seed: 'kafka-read-workers',
        institutions: 4,
        classesPerInstitution: [1, 3],
        classSize: [12, 20],
        sessionsPerClass: [6, 8],
      })
      const { store, sql } = runtime
      const k = new Kafka({ clientId: 'read-workers-test', brokers, logLevel: logLevel.NOTHING })
      const kadmin = k.admin()
      await kadmin.connect()
      await kadmin.createTopics({ topics: [{ topic, numPartitions: partitions }], waitForLeaders: true })
      await kadmin.disconnect()
      const checkpoints = new SqlCheckpointStore(sql)
      await checkpoints.setup()
      const startRelay = async () => {
        relay = new AbortController()
        relaying = runRelay({ store, kafka: k, topic, checkpoints, signal: relay.signal })
      }
      await startRelay()

      // A first third of the province, then both workers, which split the partitions.
      const third = Math.floor(events.length / 3)
      await writeEvents(store, events.slice(0, third))
      const a = startWorker('worker a')
      const b = startWorker('worker b')
      const models = readModelsOf(['archive', 'compliance'])
      await until(
        () => `both workers to hold partitions of each read model\n${a.out()}\n${b.out()}`,
        // Each worker logs its own assignment, so for a moment after a rebalance one log can still
        // show the partitions it held before: wait until the two logs agree on a split.
        () =>
          models.every(
            (m) =>
              a.held(m.name).length > 0 &&
              b.held(m.name).length > 0 &&
              a.held(m.name).length + b.held(m.name).length === partitions,
          ),
      )
      for (const m of models)
        expect([...a.held(m.name), ...b.held(m.name)].sort((x, y) => x - y)).toEqual([
          ...Array(partitions).keys(),
        ])

      // The rest is written while they consume; worker a dies by SIGKILL part way through.
      const runners = models.map((m) => new ProjectionRunner(sql, m))
      const applied = async () =>
        Math.min(...(await Promise.all(runners.map(async (r) => (await r.status()).eventsApplied))))
      const writing = writeEvents(store, events.slice(third), { batchSize: 50 })
      await until(
        () => `read models to apply more than the first third\n${a.out()}`,
        async () => (await applied()) > third + 100,
      )
      a.child.kill('SIGKILL')
      // And the relay crashes after publishing but before saving its checkpoint: restarted, it
      // publishes again from a third of the way in, so the workers receive those events twice.
      relay.abort()
      await relaying
      await sql.query(
        `update trec_relay.checkpoints set position = (select position from trec.events order by position offset $1 limit 1)`,
        [third],
      )
      await startRelay()
      await writing
      const [{ n }] = (await sql.query<{ n: string }>('select count(*)::text as n from trec.events')) as [
        { n: string },
      ]
      const total = Number(n)
      expect(total).toBe(events.length)

      // Worker b takes every partition over and catches up with the whole feed.
      await until(
        () => `worker b to take every partition over\n${b.out()}`,
        () => models.every((m) => b.held(m.name).length === partitions),
        60_000,
      )
      await until(
        () => `the read models to catch up with ${total} events\n${b.out()}`,
        async () => (await applied()) >= total,
      )
      expect(a.child.signalCode).toBe('SIGKILL')
      for (const runner of runners) {
        const status = await runner.status()
        // Every event of the feed counted once: a redelivered one would count twice.
        expect(status.eventsApplied, runner.projection.name).toBe(total)
        const clean = await rebuild(sql, store, runner.projection, {
          schema: `rebuild_${randomUUID().slice(0, 8)}`,
        })
        expect(await runner.digest(), `${runner.projection.name} equals a clean rebuild`).toBe(
          await clean.digest(),
        )
      }
    }, 600_000)
  },
)
