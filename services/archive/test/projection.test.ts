import { PGlite } from '@electric-sql/pglite'
import { decodeRecorded } from '@trec/contracts'
import type { RecordedEvent } from '@trec/eventstore'
import { openPGliteEventStore, pgliteExecutor, type SqlEventStore } from '@trec/eventstore/pglite'
import { ProjectionRunner, rebuild } from '@trec/projections'
import { foldWorkerArchive } from '@trec/readmodels'
import { appendRecord, generateRecord, prng } from '@trec/readmodels/testing'
import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { archiveProjection, readArchive } from '../src/index.ts'

// The archive read model is a function of which events have arrived: a rebuild from zero, a
// redelivery of every event, and any interleaving of Kafka partitions end with the same rows.

let pg: PGlite
let store: SqlEventStore
let events: RecordedEvent[]
const db = () => pgliteExecutor(pg)

beforeAll(async () => {
  pg = new PGlite()
  store = await openPGliteEventStore({ db: pg })
  const record = generateRecord({ workers: 16, seed: 5, faultRate: 0.2 })
  await appendRecord(store, record)
  // Events no fold reads, and an event type this code does not know, pass through unharmed.
  await store.append('misc-1', [
    { id: '00000000-0000-4000-8000-00000000f00d', type: 'SomethingElse', data: { x: 1 } },
  ])
  events = await store.readAll({ maxCount: 100_000 })
})
afterAll(async () => {
  await store.close()
})

/** Applies the feed batch by batch, each batch twice (a redelivery), like a live runner that crashed before acking. */
async function live(schema: string, batchSize: number): Promise<ProjectionRunner> {
  const runner = new ProjectionRunner(db(), archiveProjection, { schema })
  await runner.setup()
  for (let i = 0; i < events.length; i += batchSize) {
    const batch = events.slice(i, i + batchSize)
    await runner.applyBatch('feed', batch)
    expect(await runner.applyBatch('feed', batch)).toBe(0)
  }
  return runner
}

describe('the archive read model', () => {
  it('holds for each worker the fold of the whole record', async () => {
    const runner = await live('archive_live', 37)
    const decoded = events.filter((e) => e.type !== 'SomethingElse').map((e) => decodeRecorded(e))
    const workers = (
      await pg.query<{ worker: string }>(`select worker from ${runner.table('archives')}`)
    ).rows.map((r) => r.worker)
    expect(workers.length).toBeGreaterThan(10)
    for (const worker of workers)
      expect(await readArchive(db().query, (t) => runner.table(t), worker)).toEqual(
        JSON.parse(JSON.stringify(foldWorkerArchive(worker, decoded))),
      )
  })

  it('rebuilt from zero equals the live model by digest, also after every event was delivered twice', async () => {
    const liveRunner = await live('archive_twice', 50)
    const rebuilt = await rebuild(db(), store, archiveProjection, {
      schema: 'archive_rebuilt',
      batchSize: 1000,
    })
    expect(await rebuilt.digest()).toBe(await liveRunner.digest())
    // The digest sees a difference: one changed row changes it.
    await pg.query(
      `update ${rebuilt.table('archives')} set doc = doc || '{"found": false}' where worker = (select min(worker) from ${rebuilt.table('archives')})`,
    )
    expect(await rebuilt.digest()).not.toBe(await liveRunner.digest())
  })

  it('ends with the same rows whatever the interleaving of partitions, each batch delivered twice', async () => {
    const reference = await rebuild(db(), store, archiveProjection, { schema: 'archive_reference' })
    const expected = await reference.digest()
    let run = 0
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 1 << 30 }), async (seed) => {
        const rand = prng(seed)
        // Three partitions keyed by stream, as the relay keys Kafka messages; each keeps its order.
        const lanes: RecordedEvent[][] = [[], [], []]
        for (const e of events)
          lanes[[...e.stream].reduce((h, c) => (h * 31 + c.charCodeAt(0)) >>> 0, 7) % 3]!.push(e)
        const runner = new ProjectionRunner(db(), archiveProjection, { schema: `archive_lanes_${run++}` })
        await runner.setup()
        while (lanes.some((l) => l.length > 0)) {
          const open = lanes.map((l, i) => [l, i] as const).filter(([l]) => l.length > 0)
          const [lane, index] = open[Math.floor(rand() * open.length)]!
          const batch = lane.splice(0, 1 + Math.floor(rand() * 60))
          await runner.applyBatch(`p${index}`, batch)
          await runner.applyBatch(`p${index}`, batch)
        }
        expect(await runner.digest()).toBe(expected)
      }),
      { numRuns: 3 },
    )
  })
})
