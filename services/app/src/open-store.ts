import { mkdir } from 'node:fs/promises'
import { join } from 'node:path'
import type { EventStore, SqlExecutor } from '@trec/eventstore'
import type { Config } from './config.ts'

/** What the process runs on: the event store and the SQL database for keys, idempotency and read models. */
export interface Runtime {
  store: EventStore
  /** The SQL database beside the store (the same one in embedded mode and on PostgreSQL). */
  sql: SqlExecutor
  /** The same database for libraries that take a `{ query }` client (the key store). */
  client: { query(sql: string, params?: unknown[]): Promise<{ rows: unknown[] }> }
  close(): Promise<void>
}

/** Opens the configured store; each adapter is imported only when chosen. */
export async function openRuntime(config: Config): Promise<Runtime> {
  return (await beginRuntime(config)).runtime
}

/**
 * Begins opening the configured store and answers as soon as the rest of the opening goes on
 * without this thread, with the runtime to come. For the embedded store that is once its
 * database thread is started: main.ts loads the server's modules after this, and in the
 * meantime the database thread opens the store on the other core. (Started later, the thread
 * began only once the server's modules were loaded, for they are evaluated in one go: a restart
 * then waited about a second for the store with nothing else to do; BENCHMARKS.md, restart to
 * ready.) The runtime is in an object because a promise would be waited for.
 */
export async function beginRuntime(config: Config): Promise<{ runtime: Promise<Runtime> }> {
  if (config.TREC_STORE === 'pglite') {
    const { openPGliteEventStore, pgliteExecutor, newEmbeddedDbThread } = await import(
      '@trec/eventstore/pglite'
    )
    // A fresh clone has no data directory yet (the embedded database makes only its own folder).
    await mkdir(config.TREC_DATA_DIR, { recursive: true })
    // The database in its own thread: its SQL and this thread's HTTP and read side use two cores.
    const db = newEmbeddedDbThread(join(config.TREC_DATA_DIR, 'pglite'))
    // This process owns the data directory: every append comes through this store (exclusive).
    const runtime = openPGliteEventStore({ db, exclusive: true }).then(
      (store): Runtime => ({ store, sql: pgliteExecutor(db), client: db, close: () => store.close() }),
    )
    return { runtime }
  }
  return { runtime: openServerRuntime(config) }
}

/** PostgreSQL, with KurrentDB as the event store when configured. */
async function openServerRuntime(config: Config): Promise<Runtime> {
  const pg = (await import('pg')).default
  const { pgExecutor, SqlEventStore } = await import('@trec/eventstore/postgres')
  const pool = new pg.Pool({
    connectionString: config.DATABASE_URL,
    max: config.TREC_PG_POOL_MAX,
    application_name: 'trec',
  })
  pool.on('error', () => undefined)
  const sql = pgExecutor(pool)
  if (config.TREC_STORE === 'postgres') {
    const store = new SqlEventStore(sql)
    await store.migrate()
    return { store, sql, client: pool, close: () => store.close() }
  }
  const { openKurrentDbEventStore } = await import('@trec/eventstore/kurrentdb')
  const store = await openKurrentDbEventStore({ connectionString: config.KURRENTDB_URL! })
  return {
    store,
    sql,
    client: pool,
    close: async () => {
      await store.close()
      await pool.end()
    },
  }
}
