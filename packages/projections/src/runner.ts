import { createHash } from 'node:crypto'
import type { EventStore, Query, RecordedEvent, SqlExecutor } from '@trec/eventstore'
import { eventsAfter } from './feed.ts'
import type { ReadModel } from './read-model.ts'
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

/**
 * Runs one version of one projection against its database. Every batch is applied in one
 * transaction that also moves the checkpoint, so a crash or a redelivery never counts an
 * event twice or skips one.
 */
export class ProjectionRunner implements ReadModel {
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

  get name(): string {
    return this.projection.name
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
    const ddl = [
      ...Object.entries(tables).map(
        ([t, columns]) => `create table if not exists ${this.table(t)} (${columns});`,
      ),
      ...Object.entries(this.projection.indexes ?? {}).flatMap(([t, lists]) =>
        lists.map(
          (columns) =>
            `create index if not exists ${quoteIdent(`${name}_v${version}_${t}_${columns.replace(/\W+/g, '_')}`)} on ${this.table(t)} (${columns});`,
        ),
      ),
    ].join('\n')
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
    const [applied = 0] = await this.#db.transaction((query) =>
      applyTogether(query, [this], lane, events, source),
    )
    await this.noteApplied(applied)
    return applied
  }

  /** The quoted schema of this runner's tables and checkpoint. */
  get schema(): string {
    return this.#schema
  }

  /** @internal The context `apply` gets inside the transaction `query` belongs to. */
  contextIn(query: Query): ProjectionContext {
    return this.#context(query)
  }

  /**
   * @internal Counts events applied by a committed batch. Tables filled from zero (a rebuild, a
   * catch-up) are planned as if nearly empty until they have statistics, and lookups by a list
   * of keys then scan the whole table. Whatever autovacuum does, the statistics are refreshed
   * each time the events this runner applied double.
   */
  async noteApplied(applied: number): Promise<void> {
    this.#applied += applied
    if (this.#applied >= this.#analyzeAt) {
      this.#analyzeAt = 2 * this.#applied
      await this.analyze().catch(() => undefined) // best effort: the batch is committed
    }
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
    return eventsAfter(store, (await this.status()).position, cap)
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

/**
 * Applies one batch of one lane to several runners of one schema inside the transaction `query`
 * belongs to: one statement locks their checkpoints, each projection applies the events above
 * its own checkpoint, and one statement moves every checkpoint. Returns how many events each
 * runner applied, in the order given.
 */
export async function applyTogether(
  query: Query,
  runners: readonly ProjectionRunner[],
  lane: string,
  events: RecordedEvent[],
  source: Record<string, string>,
): Promise<number[]> {
  const schema = runners[0]?.schema
  if (schema === undefined) return []
  if (runners.some((r) => r.schema !== schema)) throw new Error('runners applied together share one schema')
  const names = runners.map((r) => r.projection.name)
  const versions = runners.map((r) => r.projection.version)
  // Locked in one order (name, version), so two batches over overlapping runners cannot deadlock.
  const rows = await query<{ name: string; version: number; lanes: Record<string, string> }>(
    `select name, version, lanes from ${schema}.checkpoints
     where (name, version) in (select * from unnest($1::text[], $2::int[]))
     order by name, version for update`,
    [names, versions],
  )
  const tops: string[] = []
  const counts: number[] = []
  for (const runner of runners) {
    const { name, version } = runner.projection
    const row = rows.find((r) => r.name === name && Number(r.version) === version)
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
    if (fresh.length > 0) await runner.projection.apply(fresh, runner.contextIn(query))
    tops.push(top.toString())
    counts.push(fresh.length)
  }
  await query(
    `update ${schema}.checkpoints c
       set lanes = c.lanes || jsonb_build_object($1::text, u.top::text), source = c.source || $2::jsonb,
           position = greatest(c.position, u.top), events = c.events + u.n, updated_at = now()
     from unnest($3::text[], $4::int[], $5::int8[], $6::int8[]) as u(name, version, top, n)
     where c.name = u.name and c.version = u.version`,
    [lane, JSON.stringify(source), names, versions, tops, counts],
  )
  return counts
}
