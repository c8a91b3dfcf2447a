import { PGlite } from '@electric-sql/pglite'
import { uuidv7 } from '@trec/core'
import type { EventStore, RecordedEvent } from '@trec/eventstore'
import { openPGliteEventStore, pgliteExecutor } from '@trec/eventstore/pglite'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { type Projection, ProjectionRunner, rebuild, storeFeedSource } from '../src/index.ts'

// A small read model: events per stream category and the last type seen per stream.
const countsV1: Projection = {
  name: 'counts',
  version: 1,
  tables: {
    by_category: 'category text primary key, events int not null',
    last_type: 'stream text primary key, type text not null, revision int not null',
  },
  async apply(events, { query, table }) {
    for (const e of events) {
      await query(
        `insert into ${table('by_category')} values ($1, 1) on conflict (category) do update set events = ${table('by_category')}.events + 1`,
        [e.stream.split('-')[0]],
      )
      await query(
        `insert into ${table('last_type')} values ($1, $2, $3) on conflict (stream) do update set type = excluded.type, revision = excluded.revision`,
        [e.stream, e.type, e.revision],
      )
    }
  },
}

async function appendSome(store: EventStore, n: number) {
  for (let i = 0; i < n; i++)
    await store.append(`${['class', 'training', 'subsidy'][i % 3]}-s${i % 7}`, [
      { id: uuidv7(), type: `T${i % 4}`, data: { i } },
    ])
}

describe('projection runtime', () => {
  let store: EventStore
  let readDb: PGlite
  beforeEach(async () => {
    store = await openPGliteEventStore()
    readDb = new PGlite()
  })
  afterEach(async () => {
    await store.close()
    await readDb.close()
  })

  const runUntilCaughtUp = async (runner: ProjectionRunner) => {
    const controller = new AbortController()
    await storeFeedSource(store).run(runner, {
      signal: controller.signal,
      onCaughtUp: () => controller.abort(),
    })
  }

  it('builds the read model from the feed and records its checkpoint with the rows', async () => {
    await appendSome(store, 30)
    const runner = new ProjectionRunner(pgliteExecutor(readDb), countsV1)
    await runner.setup()
    await runUntilCaughtUp(runner)
    const rows = (
      await readDb.query<{ category: string; events: number }>(
        `select * from ${runner.table('by_category')} order by 1`,
      )
    ).rows
    expect(rows).toEqual([
      { category: 'class', events: 10 },
      { category: 'subsidy', events: 10 },
      { category: 'training', events: 10 },
    ])
    const status = await runner.status()
    expect(status.eventsApplied).toBe(30)
    expect(status.position).toBe(await store.headPosition())
    expect(await runner.lag(store)).toBe(0)
    await appendSome(store, 5)
    expect(await runner.lag(store)).toBe(5)
  })

  it('changes nothing when every event is delivered twice', async () => {
    await appendSome(store, 40)
    const all = await store.readAll({ maxCount: 1000 })
    const once = new ProjectionRunner(pgliteExecutor(readDb), countsV1, { schema: 'once' })
    const twice = new ProjectionRunner(pgliteExecutor(readDb), countsV1, { schema: 'twice' })
    await once.setup()
    await twice.setup()
    await once.applyBatch('feed', all)
    // Redelivery in overlapping batches, as after a crash between apply and acknowledgement.
    for (let i = 0; i < all.length; i += 10) await twice.applyBatch('feed', all.slice(i, i + 10))
    for (let i = 0; i < all.length; i += 7)
      expect(await twice.applyBatch('feed', all.slice(i, i + 15))).toBe(0)
    expect(await twice.digest()).toBe(await once.digest())
    expect((await twice.status()).eventsApplied).toBe(40)
  })

  it("refreshes its tables' statistics when the events it applied reach analyzeFrom, then each time they double", async () => {
    await appendSome(store, 30)
    const db = pgliteExecutor(readDb)
    const runner = new ProjectionRunner(db, countsV1, { analyzeFrom: 8 })
    await runner.setup()
    const events = await store.readAll({ after: 0n, maxCount: 30 })
    // reltuples is -1 until a table's statistics exist, then its row count as last analyzed.
    const analyzedRows = async () =>
      Number(
        (
          await db.query<{ n: number }>(`select reltuples as n from pg_class where oid = $1::regclass`, [
            runner.table('last_type').replaceAll('"', ''),
          ])
        )[0]!.n,
      )
    const rows = async () =>
      Number((await db.query<{ n: string }>(`select count(*) as n from ${runner.table('last_type')}`))[0]!.n)
    await runner.applyBatch('feed', events.slice(0, 5))
    expect(await analyzedRows()).toBe(-1)
    await runner.applyBatch('feed', events.slice(5, 9)) // 9 applied: analyzed, next at 18
    const at9 = await rows()
    expect(await analyzedRows()).toBe(at9)
    await runner.applyBatch('feed', events.slice(9, 17))
    expect(await rows()).toBeGreaterThan(at9)
    expect(await analyzedRows()).toBe(at9)
    await runner.applyBatch('feed', events.slice(17, 20)) // 20 applied: analyzed again
    expect(await analyzedRows()).toBe(await rows())
  })

  it('rolls back the rows and the checkpoint together when a batch fails', async () => {
    await appendSome(store, 10)
    const all = await store.readAll()
    let failOn: string | undefined = all[5]!.id
    const flaky: Projection = {
      ...countsV1,
      async apply(events: RecordedEvent[], ctx) {
        await countsV1.apply(events, ctx)
        if (events.some((e) => e.id === failOn)) throw new Error('crash mid-batch')
      },
    }
    const runner = new ProjectionRunner(pgliteExecutor(readDb), flaky)
    await runner.setup()
    await expect(runner.applyBatch('feed', all)).rejects.toThrow('crash mid-batch')
    expect((await runner.status()).eventsApplied).toBe(0)
    expect((await readDb.query(`select * from ${runner.table('by_category')}`)).rows).toEqual([])
    failOn = undefined
    expect(await runner.applyBatch('feed', all)).toBe(10)
  })

  it('rebuilds a new version blue/green: equal to the live one, then switched to', async () => {
    await appendSome(store, 50)
    const live = new ProjectionRunner(pgliteExecutor(readDb), countsV1)
    await live.setup()
    await live.activate()
    await runUntilCaughtUp(live)
    const v2 = { ...countsV1, version: 2 }
    const progress: number[] = []
    const rebuilt = await rebuild(pgliteExecutor(readDb), store, v2, {
      batchSize: 16,
      onProgress: (n) => progress.push(n),
    })
    expect(progress.at(-1)).toBe(50)
    expect((await rebuilt.status()).active).toBe(true)
    expect((await live.status()).active).toBe(false)
    // Same rows in the old and the new tables (digest over rows; table names differ by version).
    expect(await rebuilt.digest()).toBe(await live.digest())
    await live.drop()
    await expect(live.status()).rejects.toThrow(/not set up/)
  })
})
