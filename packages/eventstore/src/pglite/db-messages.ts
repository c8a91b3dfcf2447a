// What db-thread.ts and db-worker.ts say to each other: each message an array of requests, or of
// replies (those of one turn of the sending thread together).

export interface DbThreadOptions {
  /** Directory to persist to; omitted = in memory. */
  dataDir?: string
  /** PostgreSQL's start parameters (PGlite's `startParams`). */
  startParams: string[]
}

/** A statement outside a transaction when `tx` is omitted, else in the open transaction `tx`. */
export type DbRequest = { id: number } & (
  | { op: 'ready' }
  | { op: 'query'; sql: string; params?: unknown[]; blob?: Uint8Array; tx?: number }
  | { op: 'exec'; sql: string; tx?: number }
  /** Opens a transaction; its number is the answer. */
  | { op: 'begin' }
  | { op: 'end'; tx: number; commit: boolean }
  | { op: 'close' }
)

export type DbReply = { id: number } & ({ value: unknown } | { error: Record<string, unknown> })
