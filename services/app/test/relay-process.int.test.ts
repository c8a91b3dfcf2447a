// The relay process of docker-compose.yml (services/app/src/relay-main.ts) against a real
// PostgreSQL and a real Kafka: it creates its topic, publishes the feed, reports its lag in
// readiness and /metrics, and stops cleanly on SIGTERM.
import { type ChildProcess, spawn } from 'node:child_process'
import { randomUUID } from 'node:crypto'
import { join } from 'node:path'
import { openPostgresEventStore } from '@trec/eventstore/postgres'
import { postgresForTests } from '@trec/eventstore/testing'
import { detectKafka, kafkaForTests } from '@trec/infra-kafka'
import { Kafka, logLevel } from 'kafkajs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ownDatabase } from './own-database.ts'

const server = await postgresForTests()
const plan = await detectKafka()
const skip = 'skip' in server ? server.skip : 'skip' in plan ? plan.skip : undefined
const suite = skip ? describe.skip : describe

const relayMain = join(import.meta.dirname, '../src/relay-main.ts')

suite(skip ? `relay process (skipped: ${skip})` : 'relay process on PostgreSQL and Kafka', () => {
  let database: Awaited<ReturnType<typeof ownDatabase>> | undefined
  const topic = `trec.events.${randomUUID().slice(0, 8)}`
  let url = ''
  let kafka: Awaited<ReturnType<typeof kafkaForTests>>
  let child: ChildProcess | undefined

  beforeAll(async () => {
    kafka = await kafkaForTests()
    // A database of its own: the process uses the store's default schema.
    database = await ownDatabase((server as { url: string }).url, 'trec_relay')
    url = database.url
  }, 600_000)
  afterAll(async () => {
    if (child && child.exitCode === null) child.kill('SIGKILL')
    if ('stop' in kafka) await kafka.stop()
    await database?.drop()
  })

  it('publishes the feed, reports a lag of 0 once caught up, and exits 0 on SIGTERM', async () => {
    const brokers = 'brokers' in kafka ? kafka.brokers : []
    const store = await openPostgresEventStore({ connectionString: url })
    for (let i = 0; i < 25; i++)
      await store.append(`thing-${i % 5}`, [{ id: randomUUID(), type: 'ThingHappened', data: { i } }])

    child = spawn(process.execPath, [relayMain], {
      env: {
        PATH: process.env.PATH,
        TREC_STORE: 'postgres',
        DATABASE_URL: url,
        KAFKA_BROKERS: brokers.join(','),
        TREC_TOPIC: topic,
        TREC_TOPIC_PARTITIONS: '3',
        TREC_PORT: '0',
        TREC_LOG_LEVEL: 'info',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let out = ''
    child.stdout!.on('data', (c: Buffer) => {
      out += c.toString()
    })
    child.stderr!.on('data', (c: Buffer) => {
      out += c.toString()
    })
    const exited = new Promise<number | null>((resolve) => child!.once('exit', (code) => resolve(code)))
    let base = ''
    for (let i = 0; i < 600 && !base; i++) {
      base = /Server listening at (http:\/\/127\.0\.0\.1:\d+)/.exec(out)?.[1] ?? ''
      if (!base) await new Promise((r) => setTimeout(r, 100))
    }
    expect(base, out).not.toBe('')

    const metric = async (name: string) => {
      const text = await (await fetch(`${base}/metrics`)).text()
      const line = text.split('\n').find((l) => l.startsWith(`${name} `))
      return line === undefined ? undefined : Number(line.split(' ')[1])
    }
    let published = 0
    for (let i = 0; i < 300 && published < 25; i++) {
      published = (await metric('trec_relay_published_events_total')) ?? 0
      if (published < 25) await new Promise((r) => setTimeout(r, 100))
    }
    expect(published).toBe(25)
    expect(await metric('trec_relay_lag_events')).toBe(0)
    expect(await metric('trec_relay_checkpoint_position')).toBe(Number(await store.headPosition()))

    // Behind by what was appended since, until it publishes that too.
    await store.append('thing-9', [{ id: randomUUID(), type: 'ThingHappened', data: { i: 99 } }])
    const ready = await (await fetch(`${base}/health/ready`)).json()
    expect(ready).toMatchObject({
      status: 'ready',
      checks: {
        store: { ready: true, kind: 'postgres' },
        kafka: { ready: true, brokers: 1 },
        relay: { ready: true },
      },
    })

    // The topic exists with the partitions asked for, and holds every event.
    const client = new Kafka({ clientId: 'relay-process-test', brokers, logLevel: logLevel.NOTHING })
    const kadmin = client.admin()
    await kadmin.connect()
    const [meta] = (await kadmin.fetchTopicMetadata({ topics: [topic] })).topics
    expect(meta!.partitions).toHaveLength(3)
    let total = 0
    for (let i = 0; i < 100 && total < 26; i++) {
      const offsets = await kadmin.fetchTopicOffsets(topic)
      total = offsets.reduce((n, o) => n + Number(o.high), 0)
      if (total < 26) await new Promise((r) => setTimeout(r, 100))
    }
    expect(total).toBe(26)
    await kadmin.disconnect()

    child.kill('SIGTERM')
    expect(await exited, out).toBe(0)
    expect(out).toContain('shutdown: done (exit 0)')
    await store.close()
  }, 180_000)
})
