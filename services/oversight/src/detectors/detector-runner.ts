import type { EventForStore } from '@trec/contracts'
import type { EventStore, RecordedEvent, SqlExecutor } from '@trec/eventstore'
import { ProjectionRunner, type RunnerOptions } from '@trec/projections'
import { alertStreamOf } from './alert-event.ts'
import type { DetectorProjection } from './detector-projection.ts'

/**
 * A projection runner for a detector: after each batch commits, it appends the alerts the batch
 * queued (`flush`). Appends are outside the batch's transaction (in embedded mode the store and
 * the read models share one connection), so a crash between the commit and the append leaves the
 * alerts queued for the next flush; an append that happened but was not yet dequeued is
 * recognised by the store as a retry. Each alert is the first event of its own stream.
 */
export class DetectorRunner extends ProjectionRunner {
  readonly detector: DetectorProjection
  readonly #db: SqlExecutor
  readonly #store: EventStore

  constructor(
    db: SqlExecutor,
    store: EventStore,
    projection: DetectorProjection,
    options: RunnerOptions = {},
  ) {
    super(db, projection, options)
    this.detector = projection
    this.#db = db
    this.#store = store
  }

  override async applyBatch(
    lane: string,
    events: RecordedEvent[],
    source?: Record<string, string>,
  ): Promise<number> {
    const applied = await super.applyBatch(lane, events, source)
    await this.flush()
    return applied
  }

  /** Appends every queued alert and dequeues it; returns how many were appended (or found appended). */
  async flush(batchSize = 500): Promise<number> {
    const outbox = this.table('outbox')
    let total = 0
    for (;;) {
      const rows = await this.#db.query<{ alert: string; event: EventForStore }>(
        `select alert, event from ${outbox} order by seq, alert limit ${batchSize}`,
      )
      if (rows.length === 0) return total
      await this.#store.appendMany(
        rows.map((r) => ({
          stream: alertStreamOf(r.alert),
          events: [r.event],
          expectedRevision: 'no_stream' as const,
        })),
      )
      await this.#db.query(`delete from ${outbox} where alert = any($1::text[])`, [rows.map((r) => r.alert)])
      total += rows.length
    }
  }
}
