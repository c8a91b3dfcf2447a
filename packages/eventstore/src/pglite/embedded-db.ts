/** The part of PGlite the embedded store uses: PGlite itself, or the same database run in its own thread (db-thread.ts). */
export interface EmbeddedDb {
  readonly waitReady: Promise<void>
  query<R = Record<string, unknown>>(
    sql: string,
    params?: unknown[],
    options?: { blob?: Blob },
  ): Promise<{ rows: R[] }>
  exec(sql: string): Promise<unknown>
  transaction<T>(fn: (tx: EmbeddedTransaction) => Promise<T>): Promise<T>
  close(): Promise<void>
}

export type EmbeddedTransaction = Pick<EmbeddedDb, 'query' | 'exec'>
