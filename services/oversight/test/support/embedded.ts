import type { EventStore, SqlExecutor } from '@trec/eventstore'
import { openPGliteEventStore, PGlite, pgliteExecutor } from '@trec/eventstore/pglite'
import { OversightReadSide, type ReadSideOptions } from '../../src/read-side.ts'

// An embedded PostgreSQL (PGlite) holding the events and the read models in one database, as
// the embedded app runs them. Starting PGlite is the slow part, so a test file starts one and
// each test gets its own schemas in it: a fresh store and fresh read models.

let shared: PGlite | undefined
let schemas = 0

export interface Embedded {
  store: EventStore
  db: SqlExecutor
  /** The schema of this test's read models. */
  readSchema: string
  readSide(options?: Partial<ReadSideOptions>): OversightReadSide
  close(): Promise<void>
}

export async function embedded(): Promise<Embedded> {
  shared ??= new PGlite()
  schemas += 1
  const store = await openPGliteEventStore({ db: shared, schema: `events_${schemas}` })
  const db = pgliteExecutor(shared)
  const readSchema = `read_${schemas}`
  return {
    store,
    db,
    readSchema,
    readSide: (options = {}) => new OversightReadSide({ store, db, schema: readSchema, ...options }),
    // The PGlite lives as long as the test file.
    close: async () => undefined,
  }
}

export interface AlertRecord {
  alert: string
  rule: string
  subject_kind: string
  subject_id: string
  evidence: string[]
  raised_at: string
  summary: string
  status: string
}

export async function alertsOf(db: SqlExecutor, side: OversightReadSide): Promise<AlertRecord[]> {
  return db.query<AlertRecord>(`select * from ${side.alerts.table('alerts')} order by position`)
}

/** Every event in the store, in feed order. */
export async function allEvents(store: EventStore) {
  const out = []
  let after = 0n
  for (;;) {
    const batch = await store.readAll({ after, maxCount: 5000 })
    if (batch.length === 0) return out
    out.push(...batch)
    after = batch[batch.length - 1]!.position
  }
}
