import { randomUUID } from 'node:crypto'
import type { RecordedEvent } from '@trec/eventstore'
import { openPGliteEventStore, PGlite, pgliteExecutor, SqlEventStore } from '@trec/eventstore/pglite'
import { expect, it } from 'vitest'
import { StreamCache } from '../src/sql/stream-cache.ts'

const event = (n: number) => ({ id: randomUUID(), type: 'Counted', data: { n } })

it('reads a cached stream with what another writer appended since, and whole again once it is no longer what was cached', async () => {
  const db = new PGlite()
  const cached = await openPGliteEventStore({ db })
  // A second store on the same database: its appends do not pass through the first one.
  const other = new SqlEventStore(pgliteExecutor(db), { cachedEvents: 0 })
  await cached.append('count-1', [event(0), event(1)])
  expect((await cached.readStream('count-1')).map((e) => e.data.n)).toEqual([0, 1])
  await other.append('count-1', [event(2)])
  expect((await cached.readStream('count-1')).map((e) => e.data.n)).toEqual([0, 1, 2])
  // The answer is the caller's own array: changing it changes nothing cached.
  const answer = await cached.readStream('count-1')
  answer.length = 0
  expect((await cached.readStream('count-1')).map((e) => e.data.n)).toEqual([0, 1, 2])
  // The stream emptied and written again behind the cache's back: read whole.
  await db.exec(`delete from trec.events; delete from trec.streams`)
  await other.append('count-1', [event(7), event(8), event(9), event(10)])
  expect((await cached.readStream('count-1')).map((e) => e.data.n)).toEqual([7, 8, 9, 10])
  // Partial reads are answered by the database as before.
  expect((await cached.readStream('count-1', { fromRevision: 2 })).map((e) => e.data.n)).toEqual([9, 10])
  await db.close()
})

it('reads several streams at once through the cache: only what came after, and whole again once a stream is no longer what was cached', async () => {
  const db = new PGlite()
  const cached = await openPGliteEventStore({ db })
  const other = new SqlEventStore(pgliteExecutor(db), { cachedEvents: 0 })
  const ns = (streams: RecordedEvent[][]) => streams.map((s) => s.map((e) => e.data.n))
  await cached.append('count-1', [event(0), event(1)])
  await cached.append('count-2', [event(5)])
  expect(ns(await cached.readStreams(['count-1', 'count-2', 'count-3']))).toEqual([[0, 1], [5], []])
  await other.append('count-1', [event(2)])
  await other.append('count-3', [event(9)])
  // A stream asked twice in one read (two commands on one stream in a group) gets its events twice.
  const both = await cached.readStreams(['count-1', 'count-2', 'count-3', 'count-1'])
  expect(ns(both)).toEqual([[0, 1, 2], [5], [9], [0, 1, 2]])
  both[0]!.length = 0
  expect(ns(await cached.readStreams(['count-1']))).toEqual([[0, 1, 2]])
  // And readStream sees what readStreams cached, and the reverse.
  await other.append('count-2', [event(6)])
  expect((await cached.readStream('count-2')).map((e) => e.data.n)).toEqual([5, 6])
  await db.exec(`delete from trec.events; delete from trec.streams`)
  await other.append('count-1', [event(7), event(8), event(9), event(10)])
  expect(ns(await cached.readStreams(['count-1', 'count-2']))).toEqual([[7, 8, 9, 10], []])
  await db.close()
})

it('keeps at most its budget of events, dropping the least recently read streams first', () => {
  const cache = new StreamCache(5)
  const events = (n: number) => Array.from({ length: n }, () => ({}) as never)
  cache.set('a', events(2))
  cache.set('b', events(2))
  cache.get('a')
  cache.set('c', events(2))
  expect([cache.get('a')?.length, cache.get('b'), cache.get('c')?.length]).toEqual([2, undefined, 2])
  cache.set('d', events(6))
  expect(cache.get('d')).toBeUndefined()
})

it('as the only writer, answers cached streams without a statement, exactly as the database would', async () => {
  const db = new PGlite()
  const sql = pgliteExecutor(db)
  let statements = 0
  // Holds back the answers of the statements whose text has `holding` until released: a read or
  // an append in flight while another append lands.
  let held: Promise<void> | undefined
  let holding = ''
  const hold = (text: string) => {
    let release = () => {}
    holding = text
    held = new Promise((r) => {
      release = r
    })
    return () => {
      held = undefined
      release()
    }
  }
  const query = (async (text: string, params?: unknown[]) => {
    statements++
    const rows = await sql.query(text, params)
    if (held && text.includes(holding)) await held
    return rows
  }) as typeof sql.query
  const counted = { ...sql, query }
  const store = new SqlEventStore(counted, { exclusive: true })
  await store.migrate()
  const plain = new SqlEventStore(sql, { cachedEvents: 0 })
  const numbers = (events: RecordedEvent[]) => events.map((e) => e.data.n)
  await store.append('count-1', [event(0), event(1)], { expectedRevision: 'no_stream' })
  await store.appendMany([
    { stream: 'count-1', events: [event(2)] },
    { stream: 'count-2', events: [event(5), event(6)] },
  ])
  statements = 0
  const [one, two] = await store.readStreams(['count-1', 'count-2'])
  expect(statements).toBe(0)
  expect(one).toEqual(await plain.readStream('count-1'))
  expect(two).toEqual(await plain.readStream('count-2'))
  // A stream it has not seen is read once, then cached.
  await plain.append('count-3', [event(9)])
  expect(numbers(await store.readStream('count-3'))).toEqual([9])
  expect(numbers(await store.readStream('count-3'))).toEqual([9])
  expect(statements).toBe(1)
  // So is a stream that does not exist yet, until this store appends to it.
  expect(await store.readStream('count-5')).toEqual([])
  expect(await store.readStream('count-5')).toEqual([])
  expect(statements).toBe(2)
  await store.append('count-5', [event(4)])
  statements = 0
  expect(await store.readStream('count-5')).toEqual(await plain.readStream('count-5'))
  expect(statements).toBe(0)
  // A refused append (wrong revision), a rolled-back one and a retry leave the cache as the database is.
  await expect(store.append('count-1', [event(99)], { expectedRevision: 0 })).rejects.toThrow(
    /expected revision/,
  )
  await expect(
    store.append('count-1', [event(98)], {
      beforeCommit: async () => {
        throw new Error('roll back')
      },
    }),
  ).rejects.toThrow('roll back')
  const again = event(3)
  await store.append('count-1', [again])
  expect((await store.append('count-1', [again])).written).toBe(false)
  expect(await store.readStream('count-1')).toEqual(await plain.readStream('count-1'))
  expect(numbers(await store.readStream('count-1'))).toEqual([0, 1, 2, 3])
  // A read in flight while an append lands is not cached over what the append made.
  await plain.append('count-4', [event(0)])
  let release = hold('rows from')
  const reading = store.readStream('count-4')
  await new Promise((r) => setTimeout(r, 50))
  await store.append('count-4', [event(1)])
  release()
  expect(numbers(await reading)).toEqual([0])
  expect(numbers(await store.readStream('count-4'))).toEqual([0, 1])
  // Two appends to one stream whose answers are taken in out of order: the older answer does not
  // replace what the newer one did.
  release = hold('append(')
  const first = store.append('count-6', [event(0)])
  await new Promise((r) => setTimeout(r, 50))
  holding = 'no statement'
  await store.append('count-6', [event(1)])
  release()
  await first
  expect(numbers(await store.readStream('count-6'))).toEqual([0, 1])
  // The database emptied behind it: told, it reads again.
  await db.exec(`delete from trec.events; delete from trec.streams`)
  await plain.append('count-1', [event(7)])
  store.forgetCachedStreams()
  expect(numbers(await store.readStream('count-1'))).toEqual([7])
  await db.close()
})
