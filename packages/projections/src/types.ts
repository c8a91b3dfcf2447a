import type { Query, RecordedEvent } from '@trec/eventstore'

export interface ProjectionContext {
  query: Query
  /** The quoted, versioned name of one of this projection's tables. */
  table(name: string): string
}

/**
 * A read model: the tables it owns (per version) and how events change them. `apply` must be
 * deterministic in the events alone (no clock, no randomness), so that a rebuild from zero
 * gives the same rows as the live model.
 */
export interface Projection {
  name: string
  /** Bump to rebuild into new tables beside the old ones (blue/green). */
  version: number
  /** Table name → column and constraint definitions. */
  tables: Record<string, string>
  /**
   * Table name → the column lists of its indexes that are not constraints (a unique constraint
   * cannot be a narrow index over a key many rows share, which PostgreSQL keeps as one entry
   * with the list of its rows).
   */
  indexes?: Record<string, readonly string[]>
  apply(events: RecordedEvent[], ctx: ProjectionContext): Promise<void>
}

/**
 * Where a projection has got to. `lanes` holds the last applied global position per delivery
 * lane (the store's feed is one lane; each Kafka partition is one), so a redelivered event,
 * whose position is not above its lane's, is dropped. `source` is the source's own resume
 * data (e.g. Kafka offsets), written in the same transaction.
 */
export interface ProjectionCheckpoint {
  lanes: Record<string, string>
  source: Record<string, string>
}
