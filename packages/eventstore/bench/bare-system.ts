// The ceiling: the same rows into a table with no key, no index, no sequence and no function,
// written with plain INSERTs and read back with a plain SELECT through a cursor. Whatever an
// event store adds (revision checks, global order, idempotency) costs throughput against this.

import pg from 'pg'
import type { BenchSystem } from './system.ts'

const createSql = `create table bare_events (
  id uuid not null,
  stream text not null,
  revision bigint not null,
  type text not null,
  data jsonb not null,
  metadata jsonb not null,
  recorded_at timestamptz not null default now()
)`

const columnsPerRow = 6

function insertSql(rows: number): string {
  const values = Array.from({ length: rows }, (_, r) => {
    const p = Array.from({ length: columnsPerRow }, (_, c) => `$${r * columnsPerRow + c + 1}`)
    return `(${p.join(', ')})`
  })
  return `insert into bare_events (id, stream, revision, type, data, metadata) values ${values.join(', ')}`
}

export async function bareSystem(url: string): Promise<BenchSystem> {
  const admin = new pg.Client({ connectionString: url })
  admin.on('error', () => undefined)
  await admin.connect()
  await admin.query(createSql)
  const single = insertSql(1)
  const multi = new Map<number, string>()
  return {
    name: 'bare table',
    async open(connections) {
      const pool = new pg.Pool({
        connectionString: url,
        max: connections,
        application_name: 'trec-store-bench',
      })
      pool.on('error', () => undefined)
      let cursorClient: pg.PoolClient | undefined
      return {
        async appendOne(stream, event) {
          await pool.query(single, [
            event.id,
            stream,
            0,
            event.type,
            JSON.stringify(event.data),
            JSON.stringify(event.metadata),
          ])
        },
        async appendBatch(stream, events) {
          let sql = multi.get(events.length)
          if (!sql) {
            sql = insertSql(events.length)
            multi.set(events.length, sql)
          }
          const params: unknown[] = []
          for (const [i, event] of events.entries())
            params.push(
              event.id,
              stream,
              i,
              event.type,
              JSON.stringify(event.data),
              JSON.stringify(event.metadata),
            )
          await pool.query(sql, params)
        },
        reader(batchSize, limit) {
          let read = 0
          let open = false
          return {
            async next() {
              cursorClient ??= await pool.connect()
              const client = cursorClient
              if (!open) {
                await client.query('begin')
                await client.query(
                  'declare bare_cursor no scroll cursor for select id, stream, revision, type, data, metadata, recorded_at from bare_events',
                )
                open = true
              }
              const { rows } = await client.query(
                `fetch ${Math.min(batchSize, limit - read)} from bare_cursor`,
              )
              read += rows.length
              if (rows.length === 0 || read >= limit) {
                await client.query('commit')
                open = false
                read = 0
              }
              return rows.length
            },
          }
        },
        async close() {
          if (cursorClient) {
            await cursorClient.query('rollback').catch(() => undefined)
            cursorClient.release()
          }
          await pool.end()
        },
      }
    },
    async count() {
      const { rows } = await admin.query<{ n: string }>('select count(*)::text as n from bare_events')
      return Number(rows[0]!.n)
    },
    async analyze() {
      await admin.query('analyze bare_events')
    },
    async vacuum() {
      await admin.query('vacuum (analyze) bare_events')
    },
    end: () => admin.end(),
  }
}
