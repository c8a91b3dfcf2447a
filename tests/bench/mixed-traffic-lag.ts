import type pg from 'pg'

/** The store's schema in the bench's own database; the read side keeps its defaults (trec_read, trec_audit). */
export const storeSchema = 'trec'

export interface ReadSideLag {
  /** Events in the store. */
  events: number
  /** Events after the position of the projection furthest behind (archive, compliance, oversight). */
  projections: number
  /** Events the audit notary has not logged yet. */
  notary: number
}

/** How far the app's read side (its projections and its notary, run in the app's process) trails the store. */
export async function readSideLag(db: pg.Pool | pg.Client): Promise<ReadSideLag> {
  const { rows } = await db.query<{ events: string; behind: string; size: string }>(
    `with low as (select coalesce(min(position), 0) as position from trec_read.checkpoints)
     select (select count(*) from "${storeSchema}".events)::text as events,
            (select count(*) from "${storeSchema}".events, low where events.position > low.position)::text as behind,
            (select coalesce(max(size), 0) from trec_audit.state)::text as size`,
  )
  const row = rows[0]!
  const events = Number(row.events)
  return { events, projections: Number(row.behind), notary: Math.max(0, events - Number(row.size)) }
}
