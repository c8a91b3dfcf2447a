import { createHash } from 'node:crypto'
import pg from 'pg'
import type { Query, SqlExecutor } from '../sql/executor.ts'
import { SqlEventStore, type SqlEventStoreOptions } from '../sql/sql-event-store.ts'

export interface PostgresEventStoreOptions extends SqlEventStoreOptions {
  /** e.g. postgres://user@127.0.0.1:5432/db */
  connectionString: string
  /** Most connections the store opens (default 10). */
  maxConnections?: number
  /** Skip creating/updating the schema at open (when another process owns migrations). */
  skipMigrate?: boolean
}

// Statements with parameters are sent as named prepared statements, so each connection
// parses and plans them once rather than on every append and read.
const names = new Map<string, string>()
function named(sql: string, values: unknown[] | undefined): pg.QueryConfig | string {
  if (!values) return sql
  let name = names.get(sql)
  if (!name) {
    name = `trec_${createHash('sha1').update(sql).digest('hex').slice(0, 20)}`
    names.set(sql, name)
  }
  return { name, text: sql, values }
}

export function pgExecutor(pool: pg.Pool): SqlExecutor {
  const query: Query = async (sql, params) => (await pool.query(named(sql, params))).rows
  return {
    query,
    async transaction(fn) {
      const client = await pool.connect()
      try {
        await client.query('begin')
        const result = await fn(async (sql, params) => (await client.query(named(sql, params))).rows)
        await client.query('commit')
        return result
      } catch (error) {
        await client.query('rollback').catch(() => undefined)
        throw error
      } finally {
        client.release()
      }
    },
    async script(sql) {
      await this.transaction(async (q) => {
        await q(sql)
      })
    },
    close: () => pool.end(),
  }
}

/** The event store on a PostgreSQL server, through `pg`. */
export async function openPostgresEventStore(options: PostgresEventStoreOptions): Promise<SqlEventStore> {
  const pool = new pg.Pool({
    connectionString: options.connectionString,
    max: options.maxConnections ?? 10,
    application_name: 'trec-eventstore',
  })
  // An idle client's error (server restart) must not crash the process; the next query reports it.
  pool.on('error', () => undefined)
  const store = new SqlEventStore(pgExecutor(pool), options)
  if (!options.skipMigrate) await store.migrate()
  return store
}

export { SqlEventStore }
