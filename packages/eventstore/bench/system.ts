import type { BenchEvent } from './payload.ts'

/** One store under test, installed in its own database. */
export interface BenchSystem {
  readonly name: string
  /** Opens connections for one measurement: at most `connections` of them. */
  open(connections: number): Promise<BenchSession>
  /** Events stored so far. */
  count(): Promise<number>
  /**
   * Of those, how many a reader of the feed can see now, when that can be fewer: trec's feed
   * holds back behind any transaction still open on the server.
   */
  readableCount?(): Promise<number>
  /** Refreshes the planner statistics of its tables. */
  analyze(): Promise<void>
  /** Runs VACUUM ANALYZE on its tables (what autovacuum would have done before a reader came). */
  vacuum(): Promise<void>
  /** Closes its own connections (before its database is dropped). */
  end(): Promise<void>
}

export interface BenchSession {
  /** Writes one event on its own (autocommit). */
  appendOne(stream: string, event: BenchEvent): Promise<void>
  /** Writes the events to one stream in one transaction. */
  appendBatch(stream: string, events: BenchEvent[]): Promise<void>
  /**
   * A sequential reader of everything stored, from the start, in batches of `batchSize`. After
   * `limit` events (or the end), it starts again from the start. `next` answers how many
   * events the batch held.
   */
  reader(batchSize: number, limit: number): { next(): Promise<number> }
  close(): Promise<void>
}
