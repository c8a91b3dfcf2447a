import { PGlite } from '@electric-sql/pglite'
import { uuidv7 } from '@trec/core'
import type { EventStore, SqlExecutor } from '@trec/eventstore'
import { openPGliteEventStore, pgliteExecutor } from '@trec/eventstore/pglite'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  catchUp,
  follow,
  type Projection,
  ProjectionGroup,
  ProjectionRunner,
  rebuild,
  storeFeedSource,
} from '../src/index.ts'

// Several projections as one read model, followed by the one runner: each batch in one
// transaction for all of them, a projection that was ahead drops what it has, and a batch that
// fails in one of them rolls all of them back and is retried by the next round.

const streams: Projection = {
  name: 'streams',
  version: 1,
  tables: { seen: 'stream text primary key, events int not null' },
  async apply(events, { query, table }) {
    for (const e of events)
      await query(
        `insert into ${table('seen')} values ($1, 1) on conflict (stream) do update set events = ${table('seen')}.events + 1`,
        [e.stream],
      )
  },
}

let failOn: string | undefined
const types: Projection = {
  name: 'types',
  version: 1,
  tables: { seen: 'type text primary key, events int not null' },
  async apply(events, { query, table }) {
    for (const e of events) {
      if (e.id === failOn) throw new Error('crash mid-batch')
      await query(
        `insert into ${table('seen')} values ($1, 1) on conflict (type) do update set events = ${table('seen')}.events + 1`,
        [e.type],
      )
    }
  },
}

/** Counts the transactions `db` runs. */
function counting(db: SqlExecutor, count: { transactions: number }): SqlExecutor {
  return {
    ...db,
    transaction: (fn) => {
      count.transactions++
      return db.transaction(fn)
    },
  }
}

describe('a projection group under the one runner', () => {
  let store: EventStore
  let readDb: PGlite
  beforeAll(async () => {
    store = await openPGliteEventStore()
    readDb = new PGlite()
    for (let i = 0; i < 40; i++)
      await store.append(`s-${i % 6}`, [{ id: uuidv7(), type: `T${i % 4}`, data: { i } }])
  })
  afterAll(async () => {
    await store.close()
    await readDb.close()
  })

  it('applies each batch to every projection in one transaction, retrying a failed one', async () => {
    const count = { transactions: 0 }
    const db = counting(pgliteExecutor(readDb), count)
    const runners = [new ProjectionRunner(db, streams), new ProjectionRunner(db, types)]
    for (const r of runners) await r.setup()
    // `types` is ahead: it has the first 10 events already.
    const all = await store.readAll()
    await runners[1]!.applyBatch('feed', all.slice(0, 10))
    const group = new ProjectionGroup(db, runners)
    expect((await group.checkpoint()).lanes.feed ?? '0').toBe('0')

    failOn = all[25]!.id
    const errors: unknown[] = []
    const stop = new AbortController()
    count.transactions = 0
    const following = follow(storeFeedSource(store, { batchSize: 8 }), group, {
      signal: stop.signal,
      retryMs: 10,
      onError: (error) => {
        errors.push(error)
        failOn = undefined
      },
      onCaughtUp: () => {
        if (errors.length > 0) stop.abort()
      },
    })
    await following
    expect(errors.map(String)).toEqual(['Error: crash mid-batch'])
    // Five batches of eight, one of them twice (it failed, then the next round retried it).
    expect(count.transactions).toBe(6)
    expect((await group.checkpoint()).lanes.feed).toBe(all.at(-1)!.position.toString())
    expect(await Promise.all(runners.map(async (r) => (await r.status()).eventsApplied))).toEqual([40, 40])
    // Each equals its own clean rebuild, and catching up again applies nothing.
    for (const r of runners) {
      const clean = await rebuild(pgliteExecutor(readDb), store, r.projection, { schema: `clean_${r.name}` })
      expect(await r.digest()).toBe(await clean.digest())
    }
    expect(await catchUp(store, group)).toBe(0)
  })
})
