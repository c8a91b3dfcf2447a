import { readFileSync } from 'node:fs'
import type { DbStats } from '@trec/eventstore/pglite'

// The embedded database thread's figures (written by the server when TREC_DB_STATS names a file)
// turned into what one acknowledged command cost that thread in a window.

export function readDbStats(file: string): DbStats | undefined {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as DbStats
  } catch {
    return undefined
  }
}

export interface DbThreadUse {
  /** Requests (statements, begin and end of transactions) per command. */
  statements: number
  /** The thread's CPU per command, milliseconds. */
  cpuMs: number
  /** Messages it received per command (each with one or more requests); absent from older servers. */
  messages?: number
  /** Time inside PGlite's synchronous protocol run per command, milliseconds. */
  protocolMs: number
  /** The most frequent requests: [key, per command, ms per command, rows per request]. */
  top: [string, number, number, number][]
}

export function dbThreadUse(from: DbStats, to: DbStats, commands: number, keep = 14): DbThreadUse {
  const n = Math.max(1, commands)
  const rows = Object.entries(to.statements).map(([key, e]) => {
    const before = from.statements[key] ?? { count: 0, ms: 0, rows: 0 }
    const count = e.count - before.count
    const rows = count ? (e.rows - before.rows) / count : 0
    return [key, count / n, (e.ms - before.ms) / n, rows] as [string, number, number, number]
  })
  return {
    statements: rows.reduce((s, r) => s + r[1], 0),
    cpuMs: (to.cpuMs - from.cpuMs) / n,
    ...(to.messages === undefined ? {} : { messages: (to.messages - (from.messages ?? 0)) / n }),
    protocolMs: rows.reduce((s, r) => s + r[2], 0),
    top: rows
      .filter((r) => r[1] > 0)
      .sort((a, b) => b[1] - a[1])
      .slice(0, keep),
  }
}
