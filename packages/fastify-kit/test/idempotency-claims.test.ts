import { PGlite } from '@electric-sql/pglite'
import { pgliteExecutor } from '@trec/eventstore/pglite'
import { expect, it } from 'vitest'
import { idempotencyClaims } from '../src/idempotency-claims.ts'

it('claims keys asked for at the same time in one statement, each caller with its own outcome', async () => {
  const db = new PGlite()
  const sql = pgliteExecutor(db)
  await sql.script(`create table idem (caller text not null, key text not null, request_hash text not null,
    status int, content_type text, body text, created_at timestamptz not null default now(), primary key (caller, key))`)
  const statements: string[] = []
  const counted = {
    ...sql,
    query: ((text: string, params?: unknown[]) => {
      statements.push(text)
      return sql.query(text, params)
    }) as typeof sql.query,
  }
  const table = idempotencyClaims(counted, 'idem', '60 seconds')
  await table.claim({ caller: 'a', key: 'taken', hash: 'h0' })

  // The first goes alone; the rest, asked while it runs, go together (a key asked twice waits for the next group).
  const answers = await Promise.all([
    table.claim({ caller: 'a', key: 'k1', hash: 'h1' }),
    table.claim({ caller: 'a', key: 'k2', hash: 'h2' }),
    table.claim({ caller: 'b', key: 'k1', hash: 'h3' }),
    table.claim({ caller: 'a', key: 'taken', hash: 'h0' }),
    table.claim({ caller: 'a', key: 'k2', hash: 'h2' }),
  ])
  expect(answers).toEqual([{ resumed: false }, { resumed: false }, { resumed: false }, undefined, undefined])
  expect(statements.filter((s) => s.includes('json_to_recordset')).length).toBe(1)

  await db.close()
})

it('makes each claim of a failed group again alone, so one bad claim fails only its own caller', async () => {
  const db = new PGlite()
  const sql = pgliteExecutor(db)
  await sql.script(`create table idem (caller text not null, key text not null, request_hash text not null,
    status int, content_type text, body text, created_at timestamptz not null default now(), primary key (caller, key))`)
  const table = idempotencyClaims(sql, 'idem', '60 seconds')
  const claims = await Promise.allSettled([
    table.claim({ caller: 'a', key: 'k0', hash: 'h' }),
    table.claim({ caller: 'a', key: 'k1', hash: 'h' }),
    // Not null violated: this group's statement fails, then this claim alone.
    table.claim({ caller: 'a', key: 'k2', hash: null as never }),
    table.claim({ caller: 'a', key: 'k3', hash: 'h' }),
  ])
  expect(claims.map((c) => c.status)).toEqual(['fulfilled', 'fulfilled', 'rejected', 'fulfilled'])
  expect((await db.query('select key from idem order by key')).rows).toEqual([
    { key: 'k0' },
    { key: 'k1' },
    { key: 'k3' },
  ])
  await db.close()
})
