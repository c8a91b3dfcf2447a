import { PGlite } from '@electric-sql/pglite'
import { pgliteExecutor } from '@trec/eventstore/pglite'
import { expect, it } from 'vitest'
import { idempotencyWrites } from '../src/idempotency-writes.ts'

it('claims and answers keys asked for at the same time in one statement, each caller with its own outcome', async () => {
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
  const writes = idempotencyWrites(counted, 'idem', '60 seconds')
  await writes.claim({ caller: 'a', key: 'taken', hash: 'h0' })

  // The first goes alone; the rest, asked while it runs, go together (a key asked twice waits for the next group).
  const claims = await Promise.all([
    writes.claim({ caller: 'a', key: 'k1', hash: 'h1' }),
    writes.claim({ caller: 'a', key: 'k2', hash: 'h2' }),
    writes.claim({ caller: 'b', key: 'k1', hash: 'h3' }),
    writes.claim({ caller: 'a', key: 'taken', hash: 'h0' }),
    writes.claim({ caller: 'a', key: 'k2', hash: 'h2' }),
  ])
  expect(claims).toEqual([{ resumed: false }, { resumed: false }, { resumed: false }, undefined, undefined])
  expect(statements.filter((s) => s.includes('json_to_recordset')).length).toBe(1)

  statements.length = 0
  await Promise.all([
    writes.answer({
      caller: 'a',
      key: 'k1',
      status: 201,
      contentType: 'application/json',
      body: '{"id":"一"}',
    }),
    writes.answer({
      caller: 'a',
      key: 'k2',
      status: 201,
      contentType: 'application/json',
      body: '{"id":"二"}',
    }),
    writes.answer({
      caller: 'b',
      key: 'k1',
      status: 409,
      contentType: 'application/problem+json',
      body: '{}',
    }),
  ])
  expect(statements.length).toBe(2)
  const { rows } = await db.query(
    'select caller, key, status, content_type, body from idem where status is not null order by caller, key',
  )
  expect(rows).toEqual([
    { caller: 'a', key: 'k1', status: 201, content_type: 'application/json', body: '{"id":"一"}' },
    { caller: 'a', key: 'k2', status: 201, content_type: 'application/json', body: '{"id":"二"}' },
    { caller: 'b', key: 'k1', status: 409, content_type: 'application/problem+json', body: '{}' },
  ])
  await db.close()
})

it('makes each write of a failed group again alone, so one bad write fails only its own caller', async () => {
  const db = new PGlite()
  const sql = pgliteExecutor(db)
  await sql.script(`create table idem (caller text not null, key text not null, request_hash text not null,
    status int, content_type text, body text, created_at timestamptz not null default now(), primary key (caller, key))`)
  const writes = idempotencyWrites(sql, 'idem', '60 seconds')
  const claims = await Promise.allSettled([
    writes.claim({ caller: 'a', key: 'k0', hash: 'h' }),
    writes.claim({ caller: 'a', key: 'k1', hash: 'h' }),
    // Not null violated: this group's statement fails, then this claim alone.
    writes.claim({ caller: 'a', key: 'k2', hash: null as never }),
    writes.claim({ caller: 'a', key: 'k3', hash: 'h' }),
  ])
  expect(claims.map((c) => c.status)).toEqual(['fulfilled', 'fulfilled', 'rejected', 'fulfilled'])
  expect((await db.query('select key from idem order by key')).rows).toEqual([
    { key: 'k0' },
    { key: 'k1' },
    { key: 'k3' },
  ])
  await db.close()
})
