import { PGlite } from '@electric-sql/pglite'
import { decodeRecorded } from '@trec/contracts'
import type { RecordedEvent } from '@trec/eventstore'
import { openPGliteEventStore, pgliteExecutor, type SqlEventStore } from '@trec/eventstore/pglite'
import { type Projection, ProjectionRunner, rebuild } from '@trec/projections'
import { foldWorkerCompliance, type PaymentRecord } from '@trec/readmodels'
import { appendRecord, generateRecord, prng, testRuleSet } from '@trec/readmodels/testing'
import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { complianceProjection } from '../src/index.ts'

// The compliance read model is a function of which events have arrived: a rebuild from zero, a
// redelivery of every event, and any interleaving of Kafka partitions end with the same rows.

let pg: PGlite
let store: SqlEventStore
let events: RecordedEvent[]
const projection: Projection = complianceProjection({ rules: [testRuleSet] })
const db = () => pgliteExecutor(pg)

beforeAll(async () => {
  pg = new PGlite()
  store = await openPGliteEventStore({ db: pg })
  await appendRecord(store, generateRecord({ workers: 24, seed: 9, faultRate: 0.3 }))
  events = await store.readAll({ maxCount: 100_000 })
})
afterAll(async () => {
  await store.close()
})

async function live(schema: string, batchSize: number): Promise<ProjectionRunner> {
  const runner = new ProjectionRunner(db(), projection, { schema })
  await runner.setup()
  for (let i = 0; i < events.length; i += batchSize) {
    const batch = events.slice(i, i + batchSize)
    await runner.applyBatch('feed', batch)
    expect(await runner.applyBatch('feed', batch)).toBe(0)
  }
  return runner
}

describe('the compliance read model', () => {
  it('holds every payment and completion as the fold of the whole record gives them', async () => {
    const runner = await live('compliance_live', 41)
    const decoded = events.map((e) => decodeRecorded(e))
    const workers = [
      ...new Set(
        decoded.flatMap((e) =>
          (e.data as { worker?: string }).worker ? [(e.data as { worker: string }).worker] : [],
        ),
      ),
    ]
    const expected = workers.flatMap(
      (w) => foldWorkerCompliance(w, decoded, { rules: [testRuleSet] }).payments,
    )
    const rows = (await pg.query<{ record: PaymentRecord }>(`select record from ${runner.table('payments')}`))
      .rows
    const byId = (a: { payment: string }, b: { payment: string }) => (a.payment < b.payment ? -1 : 1)
    expect(rows.map((r) => r.record).sort(byId)).toEqual(JSON.parse(JSON.stringify(expected)).sort(byId))
    expect(expected.some((p) => !p.backed)).toBe(true)
    // The counts the payments list's summary sums are those of the rows, per region, quarter and backing.
    const counted = (table: string, n: string) =>
      pg
        .query<{ key: string }>(
          `select coalesce(region, '') || ' ' || quarter || ' ' || backed || ' ' || ${n} as key
             from ${runner.table(table)} group by region, quarter, backed${n === 'n' ? ', n' : ''} order by 1`,
        )
        .then((r) => r.rows.map((row) => row.key))
    expect(await counted('payment_counts', 'n')).toEqual(await counted('payments', 'count(*)'))
    const completions = await pg.query(`select 1 from ${runner.table('completions')}`)
    expect(completions.rows.length).toBe(
      workers.flatMap((w) => foldWorkerCompliance(w, decoded, { rules: [] }).completions).length,
    )
  })

  it('rebuilt from zero equals the live model by digest, also after every event was delivered twice', async () => {
    const liveRunner = await live('compliance_twice', 50)
    const rebuilt = await rebuild(db(), store, projection, { schema: 'compliance_rebuilt' })
    expect(await rebuilt.digest()).toBe(await liveRunner.digest())
    await pg.query(`delete from ${rebuilt.table('advances')}`)
    expect(await rebuilt.digest()).not.toBe(await liveRunner.digest())
  })

  it('keeps an event once when it comes again through another lane', async () => {
    const runner = await live('compliance_relaned', 200)
    for (let i = 0; i < events.length; i += 70) await runner.applyBatch('p7', events.slice(i, i + 70))
    const rebuilt = await rebuild(db(), store, projection, { schema: 'compliance_relaned_rebuilt' })
    expect(await runner.digest()).toBe(await rebuilt.digest())
  })

  it('ends with the same rows whatever the interleaving of partitions, each batch delivered twice', async () => {
    const reference = await rebuild(db(), store, projection, { schema: 'compliance_reference' })
    const expected = await reference.digest()
    let run = 0
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 1 << 30 }), async (seed) => {
        const rand = prng(seed)
        const lanes: RecordedEvent[][] = [[], [], []]
        for (const e of events)
          lanes[[...e.stream].reduce((h, c) => (h * 31 + c.charCodeAt(0)) >>> 0, 7) % 3]!.push(e)
        const runner = new ProjectionRunner(db(), projection, { schema: `compliance_lanes_${run++}` })
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

describe('versions', () => {
  it('starts at version 2: version 1 had no recorded_workers', () => {
    expect(() => complianceProjection({ rules: [testRuleSet], version: 1 })).toThrow(/version 2/)
    expect(complianceProjection({ rules: [testRuleSet] }).version).toBe(8)
  })
})
