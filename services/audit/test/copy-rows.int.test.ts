import { randomUUID } from 'node:crypto'
import { PGlite } from '@electric-sql/pglite'
import type { SqlExecutor } from '@trec/eventstore'
import { pgliteExecutor } from '@trec/eventstore/pglite'
import { pgExecutor } from '@trec/eventstore/postgres'
import { postgresForTests } from '@trec/eventstore/testing'
import pg from 'pg'
import { afterAll, describe, expect, it } from 'vitest'
import { CopyRows, copyBytea, copyText } from '../src/sql/copy-rows.ts'

// The notary loads its rows with COPY (sql/copy-rows.ts): whatever text an event names as its
// class, claim or region reaches the table unchanged, on PGlite and on a PostgreSQL server, and a
// COPY that fails takes its transaction down with it and leaves the connection usable.

const awkward = [
  'plain',
  '',
  'tab\there',
  'line\nbreak',
  'carriage\rreturn',
  'back\\slash',
  '\\N',
  '\\x41',
  'quote " and \' and , { } NULL',
  '班级-2026-石家庄 🚀',
  ' leading and trailing ',
  '长'.repeat(30_000), // 90,000 bytes of UTF-8: the buffer grows
]

async function roundTrip(db: SqlExecutor, table: string): Promise<void> {
  await db.query(`create table ${table} (n bigint primary key, t text, b bytea)`)
  const hashes = awkward.map((_, i) => Buffer.alloc(32, i).toString('hex'))
  const rows = new CopyRows()
  awkward.forEach((text, i) => {
    rows.add(String(i), copyText(text), copyBytea(hashes[i]!))
  })
  rows.add(String(awkward.length), copyText(null), copyBytea(''))
  await db.transaction((_, copyIn) => copyIn(`${table} (n, t, b)`, rows.bytes()))
  const back = await db.query<{ t: string | null; b: Uint8Array }>(`select t, b from ${table} order by n`)
  expect(back.map((r) => r.t)).toEqual([...awkward, null])
  expect(back.map((r) => Buffer.from(r.b).toString('hex'))).toEqual([...hashes, ''])

  // A row COPY cannot read (a missing column) fails the transaction: nothing of it stays.
  const failed = db.transaction(async (query, copyIn) => {
    await query(`insert into ${table} (n, t, b) values (100, 'before the copy', '')`)
    await copyIn(`${table} (n, t, b)`, '101\tonly two columns\n')
  })
  await expect(failed).rejects.toThrow()
  const [count] = await db.query<{ n: number }>(`select count(*)::int as n from ${table}`)
  expect(count!.n).toBe(awkward.length + 1)
}

describe('COPY rows on PGlite', () => {
  it('loads every awkward value unchanged, and a failing COPY rolls its transaction back', async () => {
    const db = new PGlite()
    try {
      await roundTrip(pgliteExecutor(db), 'copy_rows')
    } finally {
      await db.close()
    }
  })
})

const server = await postgresForTests()
const onServer = 'skip' in server ? describe.skip : describe

onServer(
  'skip' in server ? `COPY rows on PostgreSQL (skipped: ${server.skip})` : 'COPY rows on PostgreSQL',
  () => {
    const pool = new pg.Pool({ connectionString: 'skip' in server ? '' : server.url, max: 1 })
    const table = `copy_rows_${randomUUID().slice(0, 8)}`
    afterAll(async () => {
      await pool.query(`drop table if exists ${table}`)
      await pool.end()
    })

    it('loads every awkward value unchanged, and a failing COPY rolls its transaction back', async () => {
      await roundTrip(pgExecutor(pool), table)
      // The one connection is still good after the failed COPY.
      const [row] = (await pool.query<{ one: number }>('select 1 as one')).rows
      expect(row!.one).toBe(1)
    })
  },
)
