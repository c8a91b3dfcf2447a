import type { SqlExecutor } from '@trec/eventstore'

/** Where a relay keeps the global position it has published up to. */
export interface CheckpointStore {
  load(name: string): Promise<bigint>
  save(name: string, position: bigint): Promise<void>
}

export class SqlCheckpointStore implements CheckpointStore {
  readonly #db: SqlExecutor
  readonly #table: string

  constructor(db: SqlExecutor, schema = 'trec_relay') {
    if (!/^[a-z_][a-z0-9_]{0,62}$/.test(schema)) throw new Error(`invalid schema name: ${schema}`)
    this.#db = db
    this.#table = `"${schema}".checkpoints`
  }

  async setup(): Promise<void> {
    const schema = this.#table.split('.')[0]
    await this.#db.script(`select pg_advisory_xact_lock(7406003);
      create schema if not exists ${schema};
      create table if not exists ${this.#table} (name text primary key, position bigint not null, updated_at timestamptz not null default now());`)
  }

  async load(name: string): Promise<bigint> {
    const [row] = await this.#db.query<{ position: string }>(
      `select position::text as position from ${this.#table} where name = $1`,
      [name],
    )
    return BigInt(row?.position ?? 0)
  }

  async save(name: string, position: bigint): Promise<void> {
    // Never move backwards, even if two relays overlap for a moment.
    await this.#db.query(
      `insert into ${this.#table} (name, position) values ($1, $2::int8)
       on conflict (name) do update set position = greatest(${this.#table}.position, excluded.position), updated_at = now()`,
      [name, position.toString()],
    )
  }
}
