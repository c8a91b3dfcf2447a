import { PGlite } from '@electric-sql/pglite'
import type { Query, SqlExecutor } from '../sql/executor.ts'
import { SqlEventStore, type SqlEventStoreOptions } from '../sql/sql-event-store.ts'
import { EmbeddedDbThread } from './db-thread.ts'
import type { EmbeddedDb } from './embedded-db.ts'
import { preparedStatements } from './prepared.ts'

export interface PGliteEventStoreOptions extends SqlEventStoreOptions {
  /** Directory to persist to; omitted = in memory. */
  dataDir?: string
  /** An open PGlite to share (the embedded app keeps its read models and keys in the same one). */
  db?: EmbeddedDb
}

/**
 * PostgreSQL's shared buffers in the embedded store. PGlite starts with the server default,
 * 128 MB, and opening the database takes longer the larger the pool: opening a 100,000-event
 * store on a loaded two-core machine took 2.1–2.6 s with 128 MB, 1.6–1.9 s with 32 MB and
 * 0.9–1.4 s with 16 MB. Pages outside the pool are read from the files again, which the
 * operating system's page cache usually answers. 32 MB is a compromise: faster to open, a pool
 * a quarter of the default for the commands' and followers' reads.
 */
export const embeddedSharedBuffers = '32MB'

const startParams = () => [...PGlite.defaultStartParams, '-c', `shared_buffers=${embeddedSharedBuffers}`]

/** Opens (or creates) an embedded database in `dataDir` (in memory when omitted) with trec's settings, in this thread. */
export function newEmbeddedDb(dataDir?: string): PGlite {
  return new PGlite(dataDir, { startParams: startParams() })
}

/**
 * The same database run in a thread of its own (db-thread.ts), so that its statements and this
 * thread's work (HTTP, commands, the read side) use two cores. What `npm start` runs.
 */
export function newEmbeddedDbThread(dataDir?: string): EmbeddedDbThread {
  return new EmbeddedDbThread({ dataDir, startParams: startParams() })
}

export function pgliteExecutor(db: EmbeddedDb): SqlExecutor {
  // In this thread, statements go through prepared.ts; the thread's own worker does the same.
  const prepared = db instanceof PGlite ? preparedStatements(db) : undefined
  const query: Query = prepared
    ? (sql, params) => prepared.query(sql, params)
    : async (sql, params) => (await db.query(sql, params)).rows as never
  return {
    query,
    transaction: (fn) =>
      db.transaction((tx) =>
        fn(
          prepared
            ? (sql, params) => prepared.inTransaction(sql, params)
            : async (sql, params) => (await tx.query(sql, params)).rows as never,
          async (target, rows) => {
            await tx.query(`copy ${target} from '/dev/blob'`, [], { blob: new Blob([rows]) })
          },
        ),
      ),
    async script(sql) {
      await db.transaction(async (tx) => {
        await tx.exec(sql)
      })
    },
    close: () => db.close(),
  }
}

/**
 * The embedded event store: PostgreSQL compiled to WebAssembly, in this process, persisted to
 * a directory. Same SQL as the server adapter; one connection, so transactions run one at a time.
 * Feed batches come back as one JSON text each (`feedAs`), which PGlite reads in about half the time.
 *
 * Followers of the feed (read models, detectors, the notary) share that one connection with the
 * commands. Every append in the database comes through this process and wakes them, so they need
 * no frequent poll (`idlePollMs` 1 s); and each waits `settleMs` (100 ms) after a wake, so that it
 * reads the events of many commands at once rather than running its reads and transaction once
 * per command: with 8 clients this cut the statements per command from about 55 to about 19.
 * While commands keep coming (appends arrived while a follower handled its last batch) it waits
 * 500 ms (`busySettleMs`): about 17 followers each ran a transaction (begin, checkpoint read and
 * update, commit) per batch, about twelve statements per command at 8 clients, more than the
 * commands' own.
 */
export async function openPGliteEventStore(options: PGliteEventStoreOptions = {}): Promise<SqlEventStore> {
  const db = options.db ?? newEmbeddedDb(options.dataDir)
  await db.waitReady
  const store = new SqlEventStore(pgliteExecutor(db), {
    feedAs: 'json',
    follow: { idlePollMs: 1000, settleMs: 100, busySettleMs: 500 },
    ...options,
  })
  await store.migrate()
  return store
}

export type { DbStats } from './db-stats.ts'
export type { EmbeddedDb } from './embedded-db.ts'
export { EmbeddedDbThread, PGlite, SqlEventStore }
