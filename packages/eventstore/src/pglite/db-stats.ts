// What the embedded database's thread spent, by statement: written when TREC_DB_STATS names a file
// (the store-modes bench does), never otherwise. The thread's CPU time and, per SQL text, how many
// times it ran and how long PGlite's synchronous protocol run took (PostgreSQL in WebAssembly and
// PGlite's message handling): the figures to compare before and after a change to the statements
// a command or a follower runs.

import { AsyncLocalStorage } from 'node:async_hooks'
import { renameSync, writeFileSync } from 'node:fs'
import type { PGlite } from '@electric-sql/pglite'

interface Entry {
  count: number
  ms: number
  /** Rows answered. */
  rows: number
}

export interface DbStats {
  /** The thread's user + system CPU so far, milliseconds. */
  cpuMs: number
  /** Messages received from the other thread so far (each carries one or more requests). */
  messages: number
  /** By statement: `op` alone (begin, end) or the SQL text's first 90 characters. */
  statements: Record<string, Entry>
}

/** Times each request's synchronous work inside PGlite and writes the totals to `file` twice a second. */
export function dbStats(db: PGlite, file: string) {
  const current = new AsyncLocalStorage<Entry>()
  const statements: Record<string, Entry> = {}
  let messages = 0
  const raw = db.execProtocolRawSync.bind(db)
  db.execProtocolRawSync = (...args: Parameters<typeof raw>) => {
    const from = performance.now()
    try {
      return raw(...args)
    } finally {
      const entry = current.getStore()
      if (entry) entry.ms += performance.now() - from
    }
  }
  const write = () => {
    const { user, system } = process.threadCpuUsage()
    // Renamed into place, so that a reader never sees half a file.
    writeFileSync(
      `${file}.part`,
      JSON.stringify({ cpuMs: (user + system) / 1000, messages, statements } satisfies DbStats),
    )
    renameSync(`${file}.part`, file)
  }
  setInterval(write, 500).unref()
  return {
    /** Counts one message received. */
    received(): void {
      messages++
    },
    /** Runs `fn` (one request) counted under `key`. */
    counted<T>(key: string, fn: () => Promise<T>): Promise<T> {
      const entry = statements[key] ?? { count: 0, ms: 0, rows: 0 }
      statements[key] = entry
      entry.count++
      return current.run(entry, fn).then((value) => {
        if (Array.isArray(value)) entry.rows += value.length
        return value
      })
    },
  }
}

/** The key a request is counted under. */
export function statementKey(op: string, sql?: string): string {
  return sql === undefined ? op : sql.replace(/\s+/g, ' ').trim().slice(0, 90)
}
