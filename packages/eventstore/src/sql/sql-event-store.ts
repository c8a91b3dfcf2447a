import { TrecError } from '@trec/core'
import { pollFeed } from '../feed.ts'
import type {
  AppendOptions,
  AppendResult,
  EventStore,
  EventToAppend,
  ExpectedRevision,
  FeedBatch,
  ReadAllOptions,
  ReadStreamOptions,
  RecordedEvent,
  StreamAppend,
  SubscribeOptions,
} from '../types.ts'
import {
  assertExpectedRevision,
  assertStreamAppends,
  assertStreamName,
  categoryOf,
  defaultLimits,
  type Limits,
  type PreparedEvents,
  prepareEvents,
} from '../validate.ts'
import { Wake } from '../wake.ts'
import type { Query, SqlExecutor } from './executor.ts'
import { migrateOnce } from './migrate.ts'
import { quoteIdent, schemaSql } from './schema.ts'
import { StreamCache } from './stream-cache.ts'
import { isDatabaseUnavailable } from './unavailable.ts'

export interface SqlEventStoreOptions {
  /** PostgreSQL schema holding the store's tables (default `trec`). */
  schema?: string
  limits?: Partial<Limits>
  /**
   * How `readAll` brings a feed batch back: a row per event (default), or the whole batch as one
   * JSON array text. PGlite's protocol parser copies every field of every row into a buffer of its
   * own before decoding it; one field per batch read 100,000 events in 14 µs each against 25 µs.
   * Over a socket to PostgreSQL the single large field is slower (22 against 6 µs), so the
   * PostgreSQL adapter reads rows.
   */
  feedAs?: 'rows' | 'json'
  /** Defaults of `subscribe` (`idlePollMs`, `settleMs`, `busySettleMs`) for this store's followers. */
  follow?: Pick<SubscribeOptions, 'idlePollMs' | 'settleMs' | 'busySettleMs'>
  /**
   * Events of streams read whole kept in memory, so that the next whole read asks only for what
   * came after (stream-cache.ts); 0 turns it off. Default 50,000.
   */
  cachedEvents?: number
  /**
   * This store is the only writer of its schema: no other process and no other store object
   * appends to it, and nothing empties it while this one is open (the embedded store, whose
   * process owns its data directory). The stream cache is then kept up to date with this store's
   * own appends and a cached stream is read without a statement; `forgetCachedStreams` empties
   * it. Default false: the cache is checked against the database at every read.
   */
  exclusive?: boolean
}

interface EventRow {
  pos: string
  id: string
  stream: string
  rev: number
  type: string
  data: RecordedEvent['data']
  metadata: RecordedEvent['metadata']
  recorded_at: string
}

// Output names differ from column names on purpose: ORDER BY resolves a bare name to an output
// column first, and ordering by `position::text` would sort positions as strings.
const columns = `e.position::text as pos, e.id::text as id, e.stream, e.revision::int4 as rev, e.type, e.data, e.metadata,
  to_char(e.recorded_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as recorded_at`

/** One event of a feed batch read as JSON: the values of `columns`, in that order. */
type FeedTuple = [
  pos: string,
  id: string,
  stream: string,
  rev: number,
  type: string,
  data: RecordedEvent['data'],
  metadata: RecordedEvent['metadata'],
  recordedAt: string,
]
const feedTuple = columns.replaceAll(/ as \w+/g, '')

/** When an append's events are recorded (its transaction's start), as `columns` gives `recorded_at`. */
const appendedAt = `to_char(date_trunc('milliseconds', now()) at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as at`

function fromTuple([pos, id, stream, revision, type, data, metadata, recordedAt]: FeedTuple): RecordedEvent {
  return { id, stream, revision, position: BigInt(pos), type, data, metadata, recordedAt }
}

function toRecorded(row: EventRow): RecordedEvent {
  return {
    id: row.id,
    stream: row.stream,
    revision: row.rev,
    position: BigInt(row.pos),
    type: row.type,
    data: row.data,
    metadata: row.metadata,
    recordedAt: row.recorded_at,
  }
}

// Event payloads travel as one JSON array text per column, split by the server, rather than as a
// PostgreSQL array literal: the driver would otherwise escape every quote and backslash of every
// payload (a regex pass and a copy per event, and a fifth more bytes on the wire). The `json`
// type keeps each element's text exactly as sent, so what is stored is still what was appended.
const jsonElements = (n: number) =>
  `array(select e.v from json_array_elements($${n}::json) with ordinality as e(v, o) order by e.o)`
const jsonArray = (texts: readonly string[]) => `[${texts.join(',')}]`

/** Marks an error thrown by the caller's `beforeCommit`, which is passed on untouched. */
class HookError extends Error {}

interface Part {
  stream: string
  expectedRevision: ExpectedRevision
  prepared: PreparedEvents
}

/** The append function's answer: [revision, written (1 or 0), position, ...]. */
function toAppendResult(r: string[]): AppendResult {
  return { revision: Number(r[0]), written: r[1] === '1', positions: r.slice(2).map(BigInt) }
}

interface DbError {
  code?: string
  detail?: string
  hint?: string
  constraint?: string
  message?: string
}

/** The event store over PostgreSQL SQL; the pg and PGlite adapters differ only in the executor. */
export class SqlEventStore implements EventStore {
  readonly schema: string
  readonly #db: SqlExecutor
  readonly #limits: Limits
  readonly #wake = new Wake()
  readonly #s: string
  readonly #feedAsJson: boolean
  readonly #follow: Pick<SubscribeOptions, 'idlePollMs' | 'settleMs' | 'busySettleMs'>
  readonly #cache: StreamCache
  readonly #exclusive: boolean
  /**
   * Exclusive mode: the reads and appends in flight, each with the streams that other appends
   * were answered for while it ran. A read's answer for those may be older than what the appends
   * put in the cache, so it is not cached; an append's answer may be older than another's already
   * taken in (answers can be taken in out of order), so its stream is dropped instead of extended.
   */
  readonly #inFlight = new Set<Set<string>>()
  #closed = false

  constructor(db: SqlExecutor, options: SqlEventStoreOptions = {}) {
    this.#db = db
    this.schema = options.schema ?? 'trec'
    this.#s = quoteIdent(this.schema)
    this.#limits = { ...defaultLimits, ...options.limits }
    this.#feedAsJson = options.feedAs === 'json'
    this.#follow = options.follow ?? {}
    this.#cache = new StreamCache(options.cachedEvents ?? 50_000)
    this.#exclusive = options.exclusive ?? false
  }

  /** Empties the stream cache: for an exclusive store whose database was changed behind it. */
  forgetCachedStreams(): void {
    this.#cache.clear()
  }

  /** Creates or updates the schema (skipped when it is up to date); safe to run from several processes at once. */
  async migrate(): Promise<void> {
    await migrateOnce(this.#db, this.schema, 7406001, schemaSql(this.schema))
  }

  async append(stream: string, events: EventToAppend[], options: AppendOptions = {}): Promise<AppendResult> {
    assertStreamName(stream)
    const expectedRevision = options.expectedRevision ?? 'any'
    assertExpectedRevision(expectedRevision)
    const prepared = prepareEvents(events, this.#limits)
    const [result] = await this.#appendParts([{ stream, expectedRevision, prepared }], options.beforeCommit)
    return result!
  }

  async appendMany(
    appends: StreamAppend[],
    options: Pick<AppendOptions, 'beforeCommit'> = {},
  ): Promise<AppendResult[]> {
    const prepared = assertStreamAppends(appends, this.#limits)
    const parts = appends.map((a, i) => ({
      stream: a.stream,
      expectedRevision: a.expectedRevision ?? 'any',
      prepared: prepared[i]!,
    }))
    return this.#appendParts(parts, options.beforeCommit)
  }

  async #appendParts(parts: Part[], beforeCommit?: () => Promise<void>): Promise<AppendResult[]> {
    const one = `select ${this.#s}.append($1, $2, $3, $4::uuid[], $5::text[], ${jsonElements(6)}, ${jsonElements(7)}, false)::text[] as r, ${appendedAt}`
    const many = `select r::text[] as r, ${appendedAt} from ${this.#s}.append_many($1::text[], $2::text[], $3::int8[], $4::int[], $5::int[],
      $6::uuid[], $7::text[], ${jsonElements(8)}, ${jsonElements(9)}) as r`
    const expectedOf = ({ expectedRevision: e }: Part) => (e === 'any' ? null : e === 'no_stream' ? -1 : e)
    let at = ''
    const touched = new Set<string>()
    if (this.#exclusive) this.#inFlight.add(touched)
    const run = async (query: Query) => {
      let answers: string[][]
      if (parts.length === 1) {
        const part = parts[0]!
        const { ids, types, data, metadata } = part.prepared
        const [row] = await query<{ r: string[]; at: string }>(one, [
          part.stream,
          categoryOf(part.stream),
          expectedOf(part),
          ids,
          types,
          jsonArray(data),
          jsonArray(metadata),
        ])
        answers = [row!.r]
        at = row!.at
      } else {
        const flat = {
          ids: [] as string[],
          types: [] as string[],
          data: [] as string[],
          metadata: [] as string[],
        }
        const lo: number[] = []
        const hi: number[] = []
        for (const { prepared } of parts) {
          lo.push(flat.ids.length + 1)
          flat.ids.push(...prepared.ids)
          flat.types.push(...prepared.types)
          flat.data.push(...prepared.data)
          flat.metadata.push(...prepared.metadata)
          hi.push(flat.ids.length)
        }
        const rows = await query<{ r: string[]; at: string }>(many, [
          parts.map((p) => p.stream),
          parts.map((p) => categoryOf(p.stream)),
          parts.map(expectedOf),
          lo,
          hi,
          flat.ids,
          flat.types,
          jsonArray(flat.data),
          jsonArray(flat.metadata),
        ])
        answers = rows.map((row) => row.r)
        at = rows[0]?.at ?? ''
      }
      if (beforeCommit)
        await beforeCommit().catch((e: unknown) => {
          throw new HookError('beforeCommit failed', { cause: e })
        })
      return answers
    }
    try {
      // One part alone is one statement, its own transaction; several share one transaction.
      // One statement either way: its own transaction, unless the caller holds it open.
      const answers = beforeCommit ? await this.#db.transaction(run) : await run(this.#db.query)
      const results = answers.map(toAppendResult)
      if (this.#exclusive) this.#appended(parts, results, at, touched)
      if (results.some((r) => r.written)) this.#wake.notify()
      return results
    } catch (error) {
      if (error instanceof HookError) throw error.cause
      const e = error as DbError
      // Raised by the statement itself, which rolled back: nothing was written, the cache holds.
      const refused = e.code === 'TR409' || e.code === 'TR410' || e.code === '23505'
      if (this.#exclusive && !refused) this.#appended(parts, [], at, touched)
      // An event id is already stored: answer from the store if this is a retry of that append.
      if (e.code === '23505' && e.constraint?.endsWith('_id_key')) {
        const stored = await this.#storedAnswer(parts)
        if (this.#exclusive) this.#appended(parts, stored, at, touched)
        return stored
      }
      const part = parts.find((p) => p.stream === e.hint) ?? parts[0]!
      throw this.#translate(e, part.stream, part.expectedRevision)
    } finally {
      this.#inFlight.delete(touched)
    }
  }

  /**
   * Reads at most one row of this database and appends to `stream` in the same statement: one
   * round trip and one transaction, committed before it answers. The events appended depend on
   * what the read found: `events(true)` when its row has a column `found` that is true,
   * `events(false)` when not or when there is no row; both are
   * checked as `append` checks events and must have the same ids and types (only the payloads
   * differ). For a read whose outcome its own record states (an access log that says whether
   * anything was found), which would otherwise wait for the read before sending the append.
   * `read.sql` takes its parameters as `$1`.. `$n`, n = `read.params.length`; the row comes back
   * as JSON would write it (`row_to_json`).
   */
  async appendAfterRead(
    read: { sql: string; params: unknown[] },
    stream: string,
    events: (found: boolean) => EventToAppend[],
  ): Promise<{ row: Record<string, unknown> | undefined; result: AppendResult }> {
    assertStreamName(stream)
    const [found, none] = [
      prepareEvents(events(true), this.#limits),
      prepareEvents(events(false), this.#limits),
    ]
    if (found.ids.join() !== none.ids.join() || found.types.join() !== none.types.join())
      throw new TypeError('appendAfterRead: both outcomes must append the same event ids and types')
    const n = read.params.length
    const chosen = (a: number, b: number) =>
      `case when exists (select 1 from r where r.found) then ${jsonElements(a)} else ${jsonElements(b)} end`
    // The read is a CTE referenced more than once, so it is run once (materialised), before the append.
    const sql = `with r as (${read.sql})
      select (select row_to_json(r)::text from r limit 1) as row,
        ${this.#s}.append($${n + 1}, $${n + 2}, null, $${n + 3}::uuid[], $${n + 4}::text[],
          ${chosen(n + 5, n + 6)}, ${chosen(n + 7, n + 8)}, false)::text[] as r, ${appendedAt}`
    const part: Part = { stream, expectedRevision: 'any', prepared: found }
    const touched = new Set<string>()
    if (this.#exclusive) this.#inFlight.add(touched)
    try {
      const [answer] = await this.#db.query<{ row: string | null; r: string[]; at: string }>(sql, [
        ...read.params,
        stream,
        categoryOf(stream),
        found.ids,
        found.types,
        jsonArray(found.data),
        jsonArray(none.data),
        jsonArray(found.metadata),
        jsonArray(none.metadata),
      ])
      const result = toAppendResult(answer!.r)
      if (this.#exclusive) {
        // What was stored is the outcome the read chose.
        if (answer!.row === null || (JSON.parse(answer!.row) as { found?: unknown }).found !== true)
          part.prepared = none
        this.#appended([part], [result], answer!.at, touched)
      }
      if (result.written) this.#wake.notify()
      return { row: answer!.row === null ? undefined : JSON.parse(answer!.row), result }
    } catch (error) {
      const e = error as DbError
      const refused = e.code === 'TR409' || e.code === 'TR410' || e.code === '23505'
      if (this.#exclusive && !refused) this.#appended([part], [], '', touched)
      throw this.#translate(e, stream, 'any')
    } finally {
      this.#inFlight.delete(touched)
    }
  }

  /**
   * Exclusive mode: what an append did to the cached streams. Its events go at the end of their
   * stream as a read would return them; a part without an answer (the append failed in a way that
   * may have written it) or that wrote nothing (a retry) drops its stream, read whole next time.
   */
  #appended(parts: Part[], results: AppendResult[], recordedAt: string, touched: Set<string>): void {
    for (const [i, part] of parts.entries()) {
      for (const other of this.#inFlight) if (other !== touched) other.add(part.stream)
      const result = results[i]
      const { ids, types, data, metadata } = part.prepared
      if (!result?.written || touched.has(part.stream)) {
        if (ids.length > 0) this.#cache.delete(part.stream)
        continue
      }
      const first = result.revision - ids.length + 1
      this.#cache.extend(
        part.stream,
        ids.map((id, k) => ({
          id,
          stream: part.stream,
          revision: first + k,
          position: result.positions[k]!,
          type: types[k]!,
          // The stored text is exactly this text, and reads parse it the same way.
          data: JSON.parse(data[k]!),
          metadata: JSON.parse(metadata[k]!),
          recordedAt,
        })),
      )
    }
  }

  async #storedAnswer(parts: Part[]): Promise<AppendResult[]> {
    const results: AppendResult[] = []
    for (const part of parts) {
      const { ids, types, data, metadata } = part.prepared
      try {
        const [row] = await this.#db.query<{ r: string[] | null }>(
          `select ${this.#s}.stored_append($1, $2::uuid[], $3::text[], $4::json[], $5::json[])::text[] as r`,
          [part.stream, ids, types, data, metadata],
        )
        if (!row?.r) throw { code: 'TR410', detail: ids[0] } satisfies DbError
        results.push(toAppendResult(row.r))
      } catch (error) {
        throw this.#translate(error as DbError, part.stream, part.expectedRevision)
      }
    }
    return results
  }

  #translate(e: DbError, stream: string, expected: unknown): unknown {
    if (e instanceof TrecError) return e
    if (e.code === 'TR409' || (e.code === '23505' && e.constraint?.endsWith('stream_revision_key')))
      return new TrecError('TREC_STREAM_CONFLICT', `stream ${stream} is not at the expected revision`, {
        details: { stream, expected, actual: e.detail === undefined ? undefined : Number(e.detail) },
      })
    if (e.code === 'TR410')
      return new TrecError('TREC_EVENT_ID_REUSED', 'an event id is already stored with different content', {
        details: { stream, id: e.detail },
      })
    if (isDatabaseUnavailable(e) || /connection|terminat/i.test(e.message ?? ''))
      return new TrecError('TREC_STORE_UNAVAILABLE', 'the event store is unavailable', {
        canRetry: true,
        cause: e,
      })
    return e
  }

  async readStream(stream: string, options: ReadStreamOptions = {}): Promise<RecordedEvent[]> {
    assertStreamName(stream)
    const whole = options.direction !== 'backwards' && !options.fromRevision && options.maxCount === undefined
    if (!whole) return this.#readStream(stream, options)
    if (this.#exclusive) return (await this.readStreams([stream]))[0]!
    const cached = this.#cache.get(stream)
    const last = cached?.at(-1)
    if (cached && last) {
      // The last cached event again, and whatever came after it.
      const since = await this.#readStream(stream, { fromRevision: last.revision })
      if (since[0]?.id === last.id) {
        const events = since.length === 1 ? cached : [...cached, ...since.slice(1)]
        if (since.length > 1) this.#cache.set(stream, events)
        return events.slice()
      }
    }
    const events = await this.#readStream(stream, {})
    this.#cache.set(stream, events)
    return events.slice()
  }

  async #readStream(stream: string, options: ReadStreamOptions): Promise<RecordedEvent[]> {
    const backwards = options.direction === 'backwards'
    const from = options.fromRevision ?? (backwards ? Number.MAX_SAFE_INTEGER : 0)
    const limit = options.maxCount ?? null
    const rows = await this.#db.query<EventRow>(
      `select ${columns} from ${this.#s}.events e where e.stream = $1 and e.revision ${backwards ? '<=' : '>='} $2
       order by e.revision ${backwards ? 'desc' : 'asc'} limit $3`,
      [stream, from, limit],
    )
    return rows.map(toRecorded)
  }

  /**
   * Several streams read whole in one statement (the coalescing decorator's grouped reads), through
   * the stream cache as `readStream` is: a cached stream is read from its last cached event on.
   * Without it, a class's roster was read whole at every enrolment that came in a group, and that
   * was most of the embedded database's time per command (about 31 rows and 2.6 ms a read).
   */
  async readStreams(streams: readonly string[]): Promise<RecordedEvent[][]> {
    for (const stream of streams) assertStreamName(stream)
    if (this.#exclusive) return this.#readTrusted(streams)
    const names = [...new Set(streams)]
    const cached = names.map((stream) => this.#cache.get(stream))
    const from = cached.map((events) => events?.at(-1)?.revision ?? 0)
    const read = await this.#readFrom(names, from)
    const whole = new Map<string, RecordedEvent[]>()
    for (const [i, stream] of names.entries()) {
      const held = cached[i]
      const since = read.get(stream)!
      const last = held?.at(-1)
      let events: RecordedEvent[]
      if (!held || !last) events = since
      else if (since[0]?.id === last.id) events = since.length === 1 ? held : [...held, ...since.slice(1)]
      // No longer what was cached (see stream-cache.ts): read it whole again.
      else events = await this.#readStream(stream, {})
      if (events !== held) this.#cache.set(stream, events)
      whole.set(stream, events)
    }
    return streams.map((s) => whole.get(s)!.slice())
  }

  /**
   * Exclusive mode: cached streams as cached, the others read whole in one statement. A stream
   * appended to while its read was in flight is answered as read but not cached (the append may
   * have come after the read and been cached since, or not cached at all).
   */
  async #readTrusted(streams: readonly string[]): Promise<RecordedEvent[][]> {
    const whole = new Map<string, RecordedEvent[]>()
    for (const stream of streams) {
      const cached = this.#cache.get(stream)
      // A copy now: later appends extend the cached array in place.
      if (cached) whole.set(stream, cached.slice())
    }
    const missing = [...new Set(streams.filter((s) => !whole.has(s)))]
    if (missing.length > 0) {
      const moved = new Set<string>()
      this.#inFlight.add(moved)
      try {
        const read = await this.#readFrom(
          missing,
          missing.map(() => 0),
        )
        for (const [stream, events] of read) {
          whole.set(stream, events)
          // Empty streams too: this store hears of their first append.
          if (!moved.has(stream)) this.#cache.set(stream, events, true)
        }
      } finally {
        this.#inFlight.delete(moved)
      }
    }
    return streams.map((s) => whole.get(s)!.slice())
  }

  /** The events of each of `names` from the revision at the same index of `from` on, in one statement. */
  async #readFrom(names: readonly string[], from: readonly number[]): Promise<Map<string, RecordedEvent[]>> {
    // Each stream looked up by its own index scan (lateral): as a join, the generic plan of the
    // prepared statement hashed a scan of every event (PGlite's tables have no statistics). The
    // streams come as JSON, not arrays: the planner counts a constant array's elements, so with
    // arrays each run was planned afresh (a custom plan looked cheaper than the generic one), which
    // cost more than running it (2.2 against 1.0 ms measured in PGlite).
    const rows = await this.#db.query<EventRow>(
      `select ${columns}
       from rows from (json_array_elements_text($1::json), json_array_elements_text($2::json)) with ordinality as w(stream, rev, n)
       cross join lateral (select * from ${this.#s}.events x where x.stream = w.stream and x.revision >= w.rev::int8
         order by x.revision) e
       order by w.n, e.revision`,
      [JSON.stringify(names), JSON.stringify(from)],
    )
    const read = new Map<string, RecordedEvent[]>(names.map((s) => [s, []]))
    for (const row of rows) read.get(row.stream)!.push(toRecorded(row))
    return read
  }

  async readEvents(ids: readonly string[]): Promise<RecordedEvent[]> {
    const rows = await this.#db.query<EventRow>(
      `select ${columns} from ${this.#s}.events e where e.id = any($1::uuid[]) order by e.position`,
      [ids],
    )
    return rows.map(toRecorded)
  }

  async streamRevision(stream: string): Promise<number> {
    assertStreamName(stream)
    const [row] = await this.#db.query<{ revision: string }>(
      `select revision::text as revision from ${this.#s}.streams where name = $1`,
      [stream],
    )
    return row ? Number(row.revision) : -1
  }

  async readAll(options: ReadAllOptions = {}): Promise<RecordedEvent[]> {
    if (this.#closed) return []
    const from = this.#feedAfter
    const params = [(options.after ?? 0n).toString(), options.maxCount ?? 1000]
    if (this.#feedAsJson) {
      const [row] = await this.#db.query<{ batch: string | null }>(
        `select json_agg(json_build_array(${feedTuple}) order by e.position)::text as batch from (select * ${from}) e`,
        params,
      )
      return row?.batch ? (JSON.parse(row.batch) as FeedTuple[]).map(fromTuple) : []
    }
    const rows = await this.#db.query<EventRow>(`select ${columns} ${from}`, params)
    return rows.map(toRecorded)
  }

  /** The feed after `$1`, up to `$2` events: what a reader sees now (below the oldest open transaction). */
  get #feedAfter(): string {
    return `from ${this.#s}.events e
       where e.position > $1::int8 and e.position < (pg_snapshot_xmin(pg_current_snapshot())::text::int8 << 20)
       order by e.position limit $2`
  }

  async countAfter(position: bigint, cap: number): Promise<number> {
    if (this.#closed) return 0
    // The positions alone, from the feed's index: no event body is read or sent.
    const [row] = await this.#db.query<{ n: string }>(
      `select count(*)::text as n from (select e.position ${this.#feedAfter}) x`,
      [position.toString(), cap],
    )
    return Number(row?.n ?? 0)
  }

  headPosition(): Promise<bigint> {
    return this.#maxPosition('where position < (pg_snapshot_xmin(pg_current_snapshot())::text::int8 << 20)')
  }

  lastPosition(): Promise<bigint> {
    return this.#maxPosition('')
  }

  async #maxPosition(where: string): Promise<bigint> {
    const [row] = await this.#db.query<{ position: string | null }>(
      `select max(position)::text as position from ${this.#s}.events ${where}`,
    )
    return BigInt(row?.position ?? 0)
  }

  subscribe(options: SubscribeOptions = {}): AsyncIterable<FeedBatch> {
    return pollFeed((o) => this.readAll(o), this.#wake, { ...this.#follow, ...options })
  }

  async close(): Promise<void> {
    if (this.#closed) return
    this.#closed = true
    this.#wake.notify()
    await this.#db.close()
  }
}
