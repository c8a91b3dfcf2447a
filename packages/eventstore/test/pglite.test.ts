import { randomUUID } from 'node:crypto'
import type { JsonObject } from '@trec/core'
import {
  newEmbeddedDbThread,
  openPGliteEventStore,
  PGlite,
  pgliteExecutor,
  SqlEventStore,
} from '@trec/eventstore/pglite'
import { expect, it } from 'vitest'
import { collect, runEventStoreContract } from '../test-support/contract.ts'

runEventStoreContract('PGlite (embedded, in memory)', () => openPGliteEventStore())

it('reads the same feed whether a batch comes back as rows or as one JSON text', async () => {
  const db = new PGlite()
  const asJson = await openPGliteEventStore({ db })
  const asRows = new SqlEventStore(pgliteExecutor(db), { feedAs: 'rows' })
  // Payloads whose text a JSON round trip could change: escapes, line separators, astral
  // characters, numbers in unusual spellings, empty containers, deep nesting.
  const awkward: JsonObject[] = [
    { s: 'quote " backslash \\ tab \t nul-free \u0001', n: 1e21, f: 0.1, neg: -0, big: 2 ** 53 },
    { s: '\u2028\u2029 行 🀄', nested: { a: [[], {}, [{ z: null }]] }, e: 1.5e-7 },
    { s: '', t: true, u: false, k: { 'key with "quotes"': '\\' } },
  ]
  for (let i = 0; i < 7; i++)
    await asJson.append(
      `feedform-${i % 3}`,
      awkward.map((data, k) => ({
        id: randomUUID(),
        type: 'Awkward',
        data: { ...data, i, k },
        metadata: { n: i },
      })),
    )
  const rows = await collect(asRows, 0n, 4)
  expect(rows).toHaveLength(21)
  expect(await collect(asJson, 0n, 4)).toEqual(rows)
  expect(await collect(asJson, 0n, 1000)).toEqual(rows)
  expect(await asJson.readAll({ after: rows.at(-1)!.position })).toEqual([])
  await asJson.close()
})

runEventStoreContract('PGlite in its own thread (in memory)', () =>
  openPGliteEventStore({ db: newEmbeddedDbThread() }),
)

runEventStoreContract('PGlite in its own thread, the only writer (exclusive: cached streams trusted)', () =>
  openPGliteEventStore({ db: newEmbeddedDbThread(), exclusive: true }),
)

it('answers in its own thread as in this one: values, errors with their SQLSTATE, rollbacks', {
  timeout: 300_000,
}, async () => {
  const here = new PGlite()
  const there = newEmbeddedDbThread()
  try {
    const sql = `select $1::bytea as b, $2::int8 as n, $3::timestamptz as t, $4::jsonb as j, $5::text[] as a, null::text as z`
    const params = [
      new Uint8Array([0, 1, 255]),
      2n ** 60n,
      new Date('2026-12-07T00:00:00Z'),
      { k: ['v'] },
      ['x', 'y"'],
    ]
    const expected = (await here.query(sql, params)).rows
    expect((await there.query(sql, params)).rows).toEqual(expected)
    expect(await pgliteExecutor(here).query(sql, params)).toEqual(expected)
    await expect(there.query('select 1/0')).rejects.toMatchObject({ code: '22012' })
    await there.exec('create table kept (x int)')
    await expect(
      there.transaction(async (tx) => {
        await tx.query('insert into kept values (1)')
        throw new Error('changed my mind')
      }),
    ).rejects.toThrow('changed my mind')
    await there.transaction(async (tx) => {
      await tx.query('insert into kept values ($1)', [2])
    })
    expect((await there.query('select x from kept')).rows).toEqual([{ x: 2 }])
  } finally {
    await there.close()
    await here.close()
  }
})
