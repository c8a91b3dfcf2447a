import { createHash } from 'node:crypto'
import { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import pg from 'pg'
import { from as copyFrom } from 'pg-copy-streams'
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
  // Not `pool.query`: it closes the connection after any error, and an error the server answers
  // with (a stream not at the expected revision, which deciders meet and retry) says nothing
  // against the connection. Closing it would cost a new connection and re-preparing every
  // statement. Only a connection-level error discards the client.
  const query: Query = async (sql, params) => {
    const { client, release } = await checkOut(pool)
    let failure: unknown
    try {
      return (await client.query(named(sql, params))).rows
    } catch (error) {
      failure = error
      throw error
    } finally {
      release(failure)
    }
  }
  return {
    query,
    async transaction(fn) {
      const { client, release } = await checkOut(pool)
      let failure: unknown
      try {
        await client.query('begin')
        const result = await fn(
          async (sql, params) => (await client.query(named(sql, params))).rows,
          (target, rows) =>
            pipeline(Readable.from([rows]), client.query(copyFrom(`copy ${target} from stdin`))),
        )
        await client.query('commit')
        return result
      } catch (error) {
        // Rolled back, the connection is as good as before whatever failed; if even the
        // rollback fails, the connection is what failed.
        await client.query('rollback').catch((e: unknown) => {
          failure = e
        })
        throw error
      } finally {
        release(failure)
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

/**
 * A client from the pool, and how to give it back. While it is checked out the pool's error
 * listener is not on it: a connection lost between two statements (the server restarting) would
 * be an unhandled 'error' event, ending the process, so one is kept here. The client goes back
 * to the pool unless the connection was lost or failed below the SQL level (an error the server
 * answered a statement with leaves it usable); then it is discarded.
 */
async function checkOut(
  pool: pg.Pool,
): Promise<{ client: pg.PoolClient; release: (failure?: unknown) => void }> {
  const client = await pool.connect()
  let lost: Error | undefined
  const onError = (error: Error) => {
    lost = error
  }
  client.on('error', onError)
  return {
    client,
    release(failure) {
      client.removeListener('error', onError)
      const broken = lost ?? (failure !== undefined && !statementLevel(failure) ? failure : undefined)
      client.release(broken as Error | undefined)
    },
  }
}

/** An error the server answered a statement with, the session going on (not FATAL, not a shutdown). */
function statementLevel(error: unknown): boolean {
  if (!(error instanceof pg.DatabaseError)) return false
  const sqlClass = error.code?.slice(0, 2)
  return error.severity !== 'FATAL' && error.severity !== 'PANIC' && sqlClass !== '57' && sqlClass !== '08'
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
