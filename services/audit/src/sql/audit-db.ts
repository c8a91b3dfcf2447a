import { type CopyIn, type EventStore, migrateOnce, type Query, type SqlExecutor } from '@trec/eventstore'
import type { CopyRows } from './copy-rows.ts'
import { SqlNodeStore, toBytes } from './node-store.ts'
import { auditSchemaSql, quoteIdent } from './schema.ts'

// Every statement the audit service runs, in one place. Sizes and indexes are JavaScript numbers
// (safe integers, as in @trec/merkle); positions are bigints, sent and read as decimal text.

export interface LogState {
  /** Leaves in the tree. */
  size: number
  /** Global position of the last event appended (0n when none). */
  feedPosition: bigint
}

export interface StoredCheckpoint {
  size: number
  timestamp: number
  root: Uint8Array
  /** The signed note; as read back, followed by the witnesses' cosignature lines. */
  note: string
  jws: string
  /** As read back: its row, and how many witnesses cosigned it. */
  seq?: number
  cosignatures?: number
}

export interface LeafRow {
  idx: number
  eventId: string
  position: bigint
}

/** The notary's transaction found the tree moved under it: another notary runs on the same log. */
export class NotaryConflict extends Error {}

export type RefKind = 'w' | 'c' | 'e'

/** An event's place in the store's feed. */
export interface EventAt {
  id: string
  position: bigint
}

export class AuditDb {
  readonly db: SqlExecutor
  readonly schema: string
  readonly #s: string
  readonly #readEvents: ((ids: readonly string[]) => Promise<readonly EventAt[]>) | undefined

  /**
   * `store`: the log's event store. When it can look events up by id (`readEvents`), the log
   * keeps no index over event ids of its own and finds an event's leaf by its position
   * (schema.ts); without it, the log indexes event ids.
   */
  constructor(db: SqlExecutor, schema = 'trec_audit', store?: Pick<EventStore, 'readEvents'>) {
    this.db = db
    this.schema = schema
    this.#s = quoteIdent(schema)
    this.#readEvents = store?.readEvents?.bind(store)
  }

  /** Creates the tables (skipped when they are up to date); safe to run from several processes at once. */
  async migrate(): Promise<void> {
    await migrateOnce(
      this.db,
      this.schema,
      7406003,
      auditSchemaSql(this.schema, this.#readEvents === undefined),
    )
  }

  nodes(query: Query = this.db.query): SqlNodeStore {
    return new SqlNodeStore(query, this.schema)
  }

  async state(query: Query = this.db.query): Promise<LogState> {
    const [row] = await query<{ size: string; feed: string }>(
      `select size::text as size, feed_position::text as feed from ${this.#s}.state where id = 1`,
    )
    return { size: Number(row!.size), feedPosition: BigInt(row!.feed) }
  }

  /** Loads the rows of a feed batch (leaves and references, COPY text), inside the notary's transaction. */
  async insertLeaves(copyIn: CopyIn, leaves: CopyRows, refs: CopyRows): Promise<void> {
    await copyIn(
      `${this.#s}.leaves (idx, event_id, position, hash, parents, worker, class, claim, region, occurred_at)`,
      leaves.bytes(),
    )
    if (refs.rows > 0) await copyIn(`${this.#s}.refs (kind, key, idx)`, refs.bytes())
  }

  /**
   * Moves the tree from size `from` to `to`, inside the transaction that inserted its leaves.
   * Throws NotaryConflict if the tree is not at `from` (another writer moved it, or the batch
   * before this one did not commit).
   */
  async moveState(query: Query, from: number, to: LogState): Promise<void> {
    const moved = await query(
      `update ${this.#s}.state set size = $2, feed_position = $3, updated_at = now()
        where id = 1 and size = $1 returning 1 as ok`,
      [from, to.size, to.feedPosition.toString()],
    )
    if (moved.length !== 1) throw new NotaryConflict(`the audit tree is no longer at size ${from}`)
  }

  async insertCheckpoint(query: Query, checkpoint: StoredCheckpoint): Promise<void> {
    await query(
      `insert into ${this.#s}.checkpoints (size, timestamp_ms, root, note, jws)
       values ($1, $2, decode($3, 'hex'), $4, $5)`,
      [
        checkpoint.size,
        checkpoint.timestamp,
        Buffer.from(checkpoint.root).toString('hex'),
        checkpoint.note,
        checkpoint.jws,
      ],
    )
  }

  /**
   * The newest checkpoint, or the newest of a given size; with `cosigned`, the newest that at
   * least that many witnesses cosigned. Its note carries their cosignature lines.
   */
  async checkpoint(size?: number, cosigned = 0): Promise<StoredCheckpoint | undefined> {
    const where = [size === undefined ? 'true' : 'c.size = $2', 'cosigned >= $1'].join(' and ')
    const rows = await this.db.query<CheckpointRow>(
      `select * from (${this.checkpointRows('c')}) c where ${where} order by c.seq desc limit 1`,
      size === undefined ? [cosigned] : [cosigned, size],
    )
    return rows[0] && toCheckpoint(rows[0])
  }

  /**
   * A query (to filter and order further) of the checkpoints as they are handed out: seq, size,
   * ts, root, note (the signed note and the cosignature lines, in witness order), jws, cosigned.
   */
  checkpointRows(alias: string): string {
    const a = quoteIdent(alias)
    return `select ${a}.seq, ${a}.size::text as size, ${a}.timestamp_ms::text as ts, ${a}.root,
        ${a}.note || coalesce(w.lines, '') as note, ${a}.jws, coalesce(w.n, 0) as cosigned
      from ${this.#s}.checkpoints ${a}
      left join lateral (select string_agg(line, '' order by witness) as lines, count(*)::int as n
        from ${this.#s}.cosignatures where checkpoint_seq = ${a}.seq) w on true`
  }

  /** Stores the cosignature lines of witnesses (one each) for a checkpoint; a line already stored is kept. */
  async addCosignatures(seq: number, lines: readonly { witness: string; line: string }[]): Promise<void> {
    for (const { witness, line } of lines)
      await this.db.query(
        `insert into ${this.#s}.cosignatures (checkpoint_seq, witness, line) values ($1, $2, $3)
          on conflict do nothing`,
        [seq, witness, line],
      )
  }

  /** The witnesses (their key names) that cosigned a checkpoint. */
  async cosignedBy(seq: number): Promise<string[]> {
    const rows = await this.db.query<{ witness: string }>(
      `select witness from ${this.#s}.cosignatures where checkpoint_seq = $1 order by witness`,
      [seq],
    )
    return rows.map((r) => r.witness)
  }

  /** The leaf of an event, if the notary has appended it. */
  async leafOfEvent(eventId: string): Promise<LeafRow | undefined> {
    return (await this.leavesOfEvents([eventId]))[0]
  }

  /** The leaves of the given events that lie below `size` (default: all), in leaf order. */
  async leavesOfEvents(eventIds: readonly string[], size = Number.MAX_SAFE_INTEGER): Promise<LeafRow[]> {
    if (eventIds.length === 0) return []
    if (this.#readEvents) return this.leavesAt(await this.#readEvents(eventIds), size)
    return this.#leafRows(`where event_id = any($1::uuid[]) and idx < $2`, [eventIds, size])
  }

  /** The leaves of events whose feed positions are known, below `size`, in leaf order. */
  async leavesAt(events: readonly EventAt[], size: number): Promise<LeafRow[]> {
    if (events.length === 0) return []
    return this.#leafRows(`where position = any($1::int8[]) and event_id = any($2::uuid[]) and idx < $3`, [
      events.map((e) => e.position.toString()),
      events.map((e) => e.id),
      size,
    ])
  }

  /** The leaves about a worker, class or claim, below `size`, in leaf order. */
  async leavesAbout(column: 'worker' | 'class' | 'claim', key: string, size: number): Promise<LeafRow[]> {
    const second = column === 'worker' ? 'w' : column === 'class' ? 'c' : undefined
    const more = second
      ? ` union select r.idx from ${this.#s}.refs r where r.kind = '${second}' and r.key = $1 and r.idx < $2`
      : ''
    return this.#leafRows(
      `where idx in (select l.idx from ${this.#s}.leaves l where l.${column} = $1 and l.idx < $2${more})`,
      [key, size],
    )
  }

  /** The leaves of a region (a code prefix) whose events happened in [from, to), below `size`. */
  async leavesByRegion(prefix: string, from: string, to: string, size: number): Promise<LeafRow[]> {
    const upper = prefix.slice(0, -1) + String.fromCharCode(prefix.charCodeAt(prefix.length - 1) + 1)
    return this.#leafRows(
      `where region >= $1 and region < $2 and idx < $3
         and occurred_at >= $4::timestamptz and occurred_at < $5::timestamptz`,
      [prefix, upper, size, from, to],
    )
  }

  /** Ids of the events that the given leaves cite as evidence. */
  async citedBy(indexes: readonly number[]): Promise<string[]> {
    if (indexes.length === 0) return []
    const rows = await this.db.query<{ key: string }>(
      `select distinct key from ${this.#s}.refs where kind = 'e' and idx = any($1::int8[])`,
      [indexes.map(String)],
    )
    return rows.map((r) => r.key)
  }

  async #leafRows(where: string, params: unknown[]): Promise<LeafRow[]> {
    // Output names differ from the columns: ORDER BY would take `idx::text as idx` as text.
    const rows = await this.db.query<{ i: string; e: string; p: string }>(
      `select idx::text as i, event_id::text as e, position::text as p
         from ${this.#s}.leaves ${where} order by leaves.idx`,
      params,
    )
    return rows.map((r) => ({ idx: Number(r.i), eventId: r.e, position: BigInt(r.p) }))
  }
}

/** A row of {@link AuditDb.checkpointRows}. */
export interface CheckpointRow {
  /** int8: a string or a bigint, as the driver reads it. */
  seq: string | bigint
  size: string
  ts: string
  root: unknown
  note: string
  jws: string
  cosigned: number
}

export function toCheckpoint(row: CheckpointRow): StoredCheckpoint {
  return {
    size: Number(row.size),
    timestamp: Number(row.ts),
    root: toBytes(row.root),
    note: row.note,
    jws: row.jws,
    seq: Number(row.seq),
    cosignatures: Number(row.cosigned),
  }
}
