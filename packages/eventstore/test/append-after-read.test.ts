import { randomUUID } from 'node:crypto'
import { openPGliteEventStore, PGlite } from '@trec/eventstore/pglite'
import { expect, it } from 'vitest'

// A read and the append of what it found, in one statement: the event of the read's outcome is
// stored (and only it), the row comes back, and an exclusive store's cache holds what was stored.

it.each([false, true])(
  'appends the event of what the read found, and answers the row (exclusive: %s)',
  async (exclusive) => {
    const db = new PGlite()
    const store = await openPGliteEventStore({ db, exclusive })
    await db.exec(
      `create table docs (k text primary key, doc jsonb not null);
       insert into docs values ('a', '{"found": true, "n": 1}'), ('b', '{"found": false, "n": 2}')`,
    )
    const read = (k: string) => ({
      sql: `select doc, (doc->>'found')::boolean as found from docs where k = $1`,
      params: [k],
    })
    const logged = async (k: string) => {
      const id = randomUUID()
      const answer = await store.appendAfterRead(read(k), `log-${k}`, (found) => [
        { id, type: 'Read', data: { k, found } },
      ])
      const stored = await store.readStream(`log-${k}`)
      expect(stored.map((e) => e.id)).toEqual([id])
      return { row: answer.row, written: answer.result.written, data: stored[0]!.data }
    }
    expect(await logged('a')).toEqual({
      row: { doc: { found: true, n: 1 }, found: true },
      written: true,
      data: { k: 'a', found: true },
    })
    // A row whose `found` is false, and no row at all: the other outcome.
    expect(await logged('b')).toMatchObject({ row: { found: false }, data: { k: 'b', found: false } })
    expect(await logged('c')).toEqual({ row: undefined, written: true, data: { k: 'c', found: false } })
    expect((await store.readAll()).map((e) => e.stream)).toEqual(['log-a', 'log-b', 'log-c'])
    await store.close()
  },
)

it('refuses outcomes that would append different events, before anything is sent', async () => {
  const store = await openPGliteEventStore()
  await expect(
    store.appendAfterRead({ sql: 'select true as found', params: [] }, 'log-x', () => [
      { id: randomUUID(), type: 'Read', data: {} },
    ]),
  ).rejects.toThrow(/same event ids/)
  expect(await store.readAll()).toEqual([])
  await store.close()
})
