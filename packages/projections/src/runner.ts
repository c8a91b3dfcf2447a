import { createHash } from 'node:crypto'
import type { EventStore, Query, RecordedEvent, SqlExecutor } from '@trec/eventstore'
import { quoteIdent, runtimeSchemaSql } from './schema.ts'
import type { Projection, ProjectionCheckpoint, ProjectionContext } from './types.ts'

export interface RunnerOptions {
  /** Schema of the runtime's own tables and of every projection table (default `trec_read`). */
  schema?: string
  /** Events applied before the tables' statistics are first refreshed (default 10,000). */
  analyzeFrom?: number
}

export interface ProjectionStatus {
  name: string
  version: number
  active: boolean
  position: bigint
  eventsApplied: number
  updatedAt: string
}

/** The lane of the store's own feed, used in embedded mode and for rebuilds. */
export const feedLane = 'feed'

/**
 * Runs one version of one projection against its database. Every batch is applied in one
 * transaction that also moves the checkpoint, so a crash or a redelivery never counts an
 * event twice or skips one.
 */
export class ProjectionRunner {
  readonly projection: Projection
  readonly #db: SqlExecutor
  readonly #schema: string
  #applied = 0
  #analyzeAt: number

  constructor(db: SqlExecutor, projection: Projection, options: RunnerOptions = {}) {
    this.#db = db
    this.projection = projection
    this.#schema = quoteIdent(options.schema ?? 'trec_read')
    this.#analyzeAt = options.analyzeFrom ?? 10_000
  }

  table(name: string): string {
    if (!(name in this.projection.tables)) throw new Error(`${this.projection.name} has no table ${name}`)
    return `${this.#schema}.${quoteIdent(`${this.projection.name}_v${this.projection.version}_${name}`)}`
  }

  #context(query: Query): ProjectionContext {
    return { query, table: (name) => this.table(name) }
  }

  /** Creates the runtime tables, this version's tables and its checkpoint; idempotent. */
  async setup(): Promise<void> {
    const { name, version, tables } = this.projection
    const ddl = Object.entries(tables)
      .map(([t, columns]) => `create table if not exists ${this.table(t)} (${columns});`)
      .join('\n')
    await this.#db.script(`select pg_advisory_xact_lock(7406002); ${runtimeSchemaSql(this.#schema.slice(1, -1))}
      ${ddl}
      insert into ${this.#schema}.checkpoints (name, version) values ('${name}', ${version}) on conflict do nothing;`)
  }

  async checkpoint(): Promise<ProjectionCheckpoint> {
    const [row] = await this.#db.query<{ lanes: Record<string, string>; source: Record<string, string> }>(
      `select lanes, source from ${this.#schema}.checkpoints where name = $1 and version = $2`,
      [this.projection.name, this.projection.version],
    )
    return { lanes: row?.lanes ?? {}, source: row?.source ?? {} }
  }

  /**
   * Applies the events of one lane that are newer than its checkpoint, and records the new
   * checkpoint (and the source's resume data) in the same transaction. Returns how many were
   * applied; redelivered events are dropped.
   */
  async applyBatch(
    lane: string,
    events: RecordedEvent[],
    source: Record<string, string> = {},
  ): Promise<number> {
    const { name, version } = this.projection
    const applied = await this.#db.transaction(async (query) => {
      const [row] = await query<{ lanes: Record<string, string> }>(
        `select lanes from ${this.#schema}.checkpoints where name = $1 and version = $2 for update`,
        [name, version],
      )
      if (!row) throw new Error(`projection ${name} v${version} is not set up`)
      // Keep an event only if it is above everything already applied in its lane, counting
      // the earlier events of this same batch (a batch can hold both copies of a redelivery).
      let top = BigInt(row.lanes[lane] ?? '0')
      const fresh: RecordedEvent[] = []
      for (const e of events)
        if (e.position > top) {
          fresh.push(e)
          top = e.position
        }
      if (fresh.length > 0) await this.projection.apply(fresh, this.#context(query))
      await query(
        `update ${this.#schema}.checkpoints
           set lanes = lanes || jsonb_build_object($3::text, $4::text), source = source || $5::jsonb,
               position = greatest(position, $4::int8), events = events + $6, updated_at = now()
         where name = $1 and version = $2`,
        [name, version, lane, top.toString(), JSON.stringify(source), fresh.length],
      )
      return fresh.length
    })
    // Tables filled from zero (a rebuild, a catch-up) are planned as if nearly empty until they
    // have statistics, and lookups by a list of keys then scan the whole table. Whatever autovacuum
    // does, the statistics are refreshed each time the events this runner applied double.
    this.#applied += applied
    if (this.#applied >= this.#analyzeAt) {
      this.#analyzeAt = 2 * this.#applied
      await this.analyze().catch(() => undefined) // best effort: the batch is committed
    }
    return applied
  }

  /** Refreshes the planner's statistics of this version's tables (ANALYZE). */
  async analyze(): Promise<void> {
    const tables = Object.keys(this.projection.tables).map((t) => this.table(t))
    if (tables.length > 0) await this.#db.query(`analyze ${tables.join(', ')}`)
  }

  /** Makes this version the one readers use. */
  async activate(): Promise<void> {
    await this.#db.query(
      `insert into ${this.#schema}.active (name, version) values ($1, $2)
       on conflict (name) do update set version = excluded.version, switched_at = now()`,
      [this.projection.name, this.projection.version],
    )
  }

  async status(): Promise<ProjectionStatus> {
    const [row] = await this.#db.query<{
      position: string
      events: string
      updated_at: Date | string
      active: boolean
    }>(
      `select c.position::text as position, c.events::text as events, c.updated_at,
              coalesce(a.version = c.version, false) as active
       from ${this.#schema}.checkpoints c left join ${this.#schema}.active a on a.name = c.name
       where c.name = $1 and c.version = $2`,
      [this.projection.name, this.projection.version],
    )
    if (!row) throw new Error(`projection ${this.projection.name} v${this.projection.version} is not set up`)
    return {
      name: this.projection.name,
      version: this.projection.version,
      active: row.active,
      position: BigInt(row.position),
      eventsApplied: Number(row.events),
      updatedAt: new Date(row.updated_at).toISOString(),
    }
  }

  /** Events in the store's feed after this projection's position (counted up to `cap`). */
  async lag(store: EventStore, cap = 100_000): Promise<number> {
    const { position } = await this.status()
    let behind = 0
    let after = position
    while (behind < cap) {
      const batch = await store.readAll({ after, maxCount: Math.min(10_000, cap - behind) })
      if (batch.length === 0) break
      behind += batch.length
      after = batch[batch.length - 1]!.position
    }
    return behind
  }

  /**
   * A digest of every row of every table of this version, independent of physical order:
   * two read models with equal digests hold the same rows.
   */
  async digest(): Promise<string> {
    const hash = createHash('sha256')
    for (const name of Object.keys(this.projection.tables).sort()) {
      const rows = await this.#db.query<{ r: string }>(
        `select t::text as r from ${this.table(name)} t order by 1`,
      )
      hash.update(`${name}\n`)
      for (const { r } of rows) hash.update(`${r}\n`)
    }
    return hash.digest('hex')
  }

  /** Drops this version's tables and checkpoint (after a switch to a newer version). */
  async drop(): Promise<void> {
    const drops = Object.keys(this.projection.tables)
      .map((t) => `drop table if exists ${this.table(t)};`)
      .join('\n')
    await this.#db.script(`${drops}
      delete from ${this.#schema}.checkpoints where name = '${this.projection.name}' and version = ${this.projection.version};`)
  }
}
