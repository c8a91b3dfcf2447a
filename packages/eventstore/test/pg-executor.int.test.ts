import { pgExecutor } from '@trec/eventstore/postgres'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { postgresForTests } from '../test-support/servers.ts'

// A transaction whose connection is lost between two statements (the server restarting, an
// administrator ending the backend) fails, and nothing else: the process lives on (no unhandled
// 'error' event of the checked-out client) and the pool goes on with fresh connections.

const server = await postgresForTests()
const suite = 'skip' in server ? describe.skip : describe
const title =
  'skip' in server
    ? `pg executor connections (skipped: ${server.skip})`
    : 'pg executor connections when statements fail or the connection is lost'

suite(title, () => {
  let pool: pg.Pool
  beforeAll(() => {
    pool = new pg.Pool({ connectionString: 'skip' in server ? '' : server.url, max: 2 })
    pool.on('error', () => undefined)
  })
  afterAll(async () => {
    await pool?.end()
  })

  it('fails the transaction whose backend was terminated between statements, and the pool recovers', async () => {
    const db = pgExecutor(pool)
    const admin = new pg.Client({ connectionString: 'skip' in server ? '' : server.url })
    await admin.connect()
    try {
      const failed = db.transaction(async (q) => {
        const [row] = await q<{ pid: number }>('select pg_backend_pid() as pid')
        await admin.query('select pg_terminate_backend($1)', [row!.pid])
        // The client learns of it while no statement of its own is running.
        await new Promise((resolve) => setTimeout(resolve, 300))
        await q('select 1')
      })
      await expect(failed).rejects.toThrow()
      const [again] = await db.query<{ one: number }>('select 1 as one')
      expect(again!.one).toBe(1)
      expect(await db.transaction(async (q) => (await q<{ two: number }>('select 2 as two'))[0]!.two)).toBe(2)
    } finally {
      await admin.end()
    }
  })

  it('keeps the connection after an error the server answers with, and drops it after a lost one', async () => {
    const one = new pg.Pool({ connectionString: 'skip' in server ? '' : server.url, max: 1 })
    one.on('error', () => undefined)
    const db = pgExecutor(one)
    const pid = async () => (await db.query<{ pid: number }>('select pg_backend_pid() as pid'))[0]!.pid
    try {
      const before = await pid()
      await expect(db.query('select 1 / $1::int', [0])).rejects.toMatchObject({ code: '22012' })
      await expect(db.transaction(async (q) => q('select 1 / $1::int', [0]))).rejects.toMatchObject({
        code: '22012',
      })
      // The same backend: no reconnect, prepared statements kept.
      expect(await pid()).toBe(before)
      await expect(db.query('select pg_terminate_backend(pg_backend_pid())')).rejects.toThrow()
      expect(await pid()).not.toBe(before)
    } finally {
      await one.end()
    }
  })
})
