/** The little the SQL event store needs from a PostgreSQL connection: pg and PGlite both fit. */
export type Query = <R = Record<string, unknown>>(sql: string, params?: unknown[]) => Promise<R[]>

export interface SqlExecutor {
  query: Query
  /** Runs `fn` on one connection between BEGIN and COMMIT; rolls back if it throws. */
  transaction<T>(fn: (query: Query) => Promise<T>): Promise<T>
  /** Runs a multi-statement script (no parameters) in one transaction. */
  script(sql: string): Promise<void>
  close(): Promise<void>
}
