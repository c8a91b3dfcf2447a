import {
  BACKWARDS,
  END,
  FORWARDS,
  jsonEvent,
  KurrentDBClient,
  NO_STREAM,
  type ReadPosition,
  type ReadRevision,
  type ResolvedEvent,
  START,
  StreamDeletedError,
  StreamNotFoundError,
  streamNameFilter,
  WrongExpectedVersionError,
} from '@kurrent/kurrentdb-client'
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
  assertEvents,
  assertExpectedRevision,
  assertStreamAppends,
  assertStreamName,
  defaultLimits,
  type Limits,
} from '../validate.ts'
import { Wake } from '../wake.ts'
import { type IdIndexEntry, idIndexEvent, idIndexStream, judgeAppend, parseIdIndexEntry } from './id-index.ts'
import { KeyedLock, mapLimit } from './keyed-lock.ts'
import {
  conflictError,
  contentDigest,
  feedStreamRegex,
  isFeedEvent,
  positionOf,
  readAllFrom,
  singleAppendMetadata,
  toRecorded,
  toStreamState,
  translateError,
  wrapMetadata,
} from './mapping.ts'

export interface KurrentDbEventStoreOptions {
  limits?: Partial<Limits>
  /** Most id-index reads or writes one append keeps in flight (default 32). */
  indexConcurrency?: number
}

export interface OpenKurrentDbEventStoreOptions extends KurrentDbEventStoreOptions {
  /**
   * e.g. `kurrentdb://admin:changeit@db.example:2113` (or `?tls=false` for an insecure node).
   * The user must be allowed to read `$all` (admins are, by default, on a secure server).
   */
  connectionString: string
  /** Do not check at open that the server answers (by reading the head of `$all`). */
  skipProbe?: boolean
}

interface Part {
  stream: string
  expected: ExpectedRevision
  events: EventToAppend[]
  ids: string[]
  digests: string[]
}

function reusedError(stream: string, id: string): TrecError {
  return new TrecError('TREC_EVENT_ID_REUSED', 'an event id is already stored with different content', {
    details: { stream, id },
  })
}

/**
 * The event store on a KurrentDB server, with the SQL adapter's behaviour (contract suite).
 *
 * Appends. KurrentDB checks the expected revision and writes a stream's events atomically, and
 * `appendMany` uses its multi-stream append (server 25.1 or later) to do the same for several
 * streams at once. It has no client transactions, so `beforeCommit` runs before anything is
 * sent. Idempotency by event id, unique across the store, comes from the id index described in
 * `id-index.ts`, judged for each stream of the append:
 *
 * 1. Look up every id in the index (and, at the same time, the head of the log).
 * 2. None found: append the events with the caller's expected state, read them back for their
 *    positions, then index them. All found, in this stream with this content: a retry, answered
 *    from the index with nothing written. Otherwise: TREC_EVENT_ID_REUSED, nothing written.
 * 3. An append cut short between its events and its index (a crash, a lost connection) is
 *    finished by its retry: the index shows some or none of its ids; a partial index is checked
 *    against the stream; with none, the re-sent append is dropped by KurrentDB's own id check
 *    (assured for an exact revision or `no_stream`, best effort for `any`). Either way the read-
 *    back finds the events stored before the head read in step 1, so the answer says
 *    `written: false`, and the index is repaired.
 *
 * Appends in this process that share an event id run one after another (`KeyedLock`), so
 * concurrent retries see each other's index entries and exactly one says `written: true`.
 * What the design does not cover: two processes appending the same id at the same moment (both
 * may store it; the first index entry wins and later appends see it); an interrupted append that
 * is never retried leaves its ids unindexed (stored once, but a later reuse elsewhere is not
 * detected); and a re-sent `any` append relies on KurrentDB's best-effort duplicate check.
 *
 * The feed. An event's `position` is its commit position in `$all`. KurrentDB writes one log and
 * readers see it only up to the last indexed position, in log order, so a reader never sees a
 * position before every smaller one is visible: gap safety is native, no xmin trick needed. The
 * feed reads `$all` with a server-side stream-name filter (trec streams only) and drops `$`
 * event types; `subscribe` polls it (`pollFeed`), woken at once by this process's appends.
 */
export class KurrentDbEventStore implements EventStore {
  readonly #client: KurrentDBClient
  readonly #limits: Limits
  readonly #concurrency: number
  readonly #wake = new Wake()
  readonly #ids = new KeyedLock()
  readonly #feedFilter = streamNameFilter({ regex: feedStreamRegex })
  #closed = false

  constructor(client: KurrentDBClient, options: KurrentDbEventStoreOptions = {}) {
    this.#client = client
    this.#limits = { ...defaultLimits, ...options.limits }
    this.#concurrency = options.indexConcurrency ?? 32
  }

  async append(stream: string, events: EventToAppend[], options: AppendOptions = {}): Promise<AppendResult> {
    assertStreamName(stream)
    const expectedRevision = options.expectedRevision ?? 'any'
    assertExpectedRevision(expectedRevision)
    assertEvents(events, this.#limits)
    const [result] = await this.#appendParts([{ stream, events, expectedRevision }], options.beforeCommit)
    return result!
  }

  async appendMany(
    appends: StreamAppend[],
    options: Pick<AppendOptions, 'beforeCommit'> = {},
  ): Promise<AppendResult[]> {
    assertStreamAppends(appends, this.#limits)
    return this.#appendParts(appends, options.beforeCommit)
  }

  async #appendParts(appends: StreamAppend[], beforeCommit?: () => Promise<void>): Promise<AppendResult[]> {
    this.#assertOpen()
    const parts: Part[] = appends.map(({ stream, events, expectedRevision = 'any' }) => ({
      stream,
      expected: expectedRevision,
      events,
      ids: events.map((e) => e.id),
      digests: events.map((e) => contentDigest(e.type, e.data, e.metadata)),
    }))
    // No client transactions: the hook runs before anything is sent; if it throws, nothing is.
    if (beforeCommit) await beforeCommit()
    try {
      return await this.#ids.run(
        parts.flatMap((p) => p.ids),
        () => this.#appendLocked(parts),
      )
    } catch (error) {
      throw translateError(error, new Map(parts.map((p) => [p.stream, p.expected])))
    }
  }

  async #appendLocked(parts: Part[]): Promise<AppendResult[]> {
    const ids = parts.flatMap((p) => p.ids)
    if (ids.length === 0) return Promise.all(parts.map((p) => this.#checkOnly(p)))
    const [entries, head] = await Promise.all([
      mapLimit(ids, this.#concurrency, (id) => this.#indexEntry(id)),
      this.#logHead(),
    ])
    const results: AppendResult[] = []
    const fresh: number[] = []
    let k = 0
    for (const [i, part] of parts.entries()) {
      const found = entries.slice(k, k + part.ids.length)
      k += part.ids.length
      if (part.ids.length === 0) {
        // An empty part checks its expected revision and writes nothing, as in the SQL adapter.
        // With other parts this check is not atomic with their write (a read, then the append).
        results[i] = await this.#checkOnly(part)
        continue
      }
      const verdict = judgeAppend(part.stream, part.ids, part.digests, found)
      if (verdict.kind === 'reused') throw reusedError(part.stream, verdict.id)
      if (verdict.kind === 'retry') results[i] = verdict.result
      else if (verdict.kind === 'check') results[i] = await this.#confirmStored(part, verdict.from, found)
      else fresh.push(i)
    }
    if (fresh.length === 0) return results

    const toWrite = fresh.map((i) => parts[i]!)
    const revisions = await this.#send(toWrite)
    let written = false
    for (const [j, part] of toWrite.entries()) {
      const n = part.ids.length
      const stored = await this.#readRange(part.stream, revisions[j]! - n + 1, n)
      if (stored.length !== n || stored.some((e, x) => e.id !== part.ids[x]))
        throw new TrecError(
          'TREC_INTERNAL',
          'KurrentDB acknowledged an append but its events are not where it said',
          {
            details: { stream: part.stream, revision: revisions[j] },
          },
        )
      // Events stored before the head was read were stored by an earlier attempt, and KurrentDB
      // answered this one from its own id check; ids only, so the content is compared here.
      const mine = stored[0]!.position > head
      if (!mine)
        for (const [x, e] of stored.entries())
          if (contentDigest(e.type, e.data, e.metadata) !== part.digests[x])
            throw reusedError(part.stream, e.id)
      written ||= mine
      await this.#index(part.stream, stored, part.digests)
      results[fresh[j]!] = {
        revision: revisions[j]!,
        positions: stored.map((e) => e.position),
        written: mine,
      }
    }
    if (written) this.#wake.notify()
    return results
  }

  /**
   * Sends the parts in one atomic append and answers each stream's last revision. One stream:
   * the classic append (any server, metadata stored as JSON). Several: `multiStreamAppend`
   * (KurrentDB 25.1 or later), which checks every stream's expected state and writes all or
   * nothing, in request order.
   */
  async #send(parts: Part[]): Promise<number[]> {
    if (parts.length === 1) {
      const [part] = parts as [Part]
      const result = await this.#client.appendToStream(
        part.stream,
        part.events.map(({ id, type, data, metadata }) =>
          jsonEvent({ id, type, data, metadata: singleAppendMetadata(metadata) }),
        ),
        { streamState: toStreamState(part.expected) },
      )
      return [Number(result.nextExpectedRevision)]
    }
    const result = await this.#client.multiStreamAppend(
      parts.map((part) => ({
        streamName: part.stream,
        expectedState: toStreamState(part.expected),
        events: part.events.map(({ id, type, data, metadata }) =>
          jsonEvent({ id, type, data, metadata: wrapMetadata(metadata) }),
        ),
      })),
    )
    return parts.map((part) => {
      const response = result.responses.find((r) => r.streamName === part.stream)
      if (!response)
        throw new TrecError('TREC_INTERNAL', 'KurrentDB answered a multi-stream append without a stream', {
          details: { stream: part.stream },
        })
      return Number(response.revision)
    })
  }

  async #checkOnly(part: Part): Promise<AppendResult> {
    const actual = await this.#lastRevision(part.stream)
    const { expected } = part
    if (expected !== 'any' && actual !== (expected === 'no_stream' ? -1 : expected))
      throw conflictError(part.stream, expected, actual)
    return { revision: actual, positions: [], written: false }
  }

  /** A partly indexed retry (see `judgeAppend`): answered if the stream holds exactly these events there. */
  async #confirmStored(
    part: Part,
    from: number,
    found: readonly (IdIndexEntry | undefined)[],
  ): Promise<AppendResult> {
    const stored = await this.#readRange(part.stream, from, part.ids.length)
    const same =
      stored.length === part.ids.length &&
      stored.every(
        (e, i) => e.id === part.ids[i] && contentDigest(e.type, e.data, e.metadata) === part.digests[i],
      )
    if (!same) throw reusedError(part.stream, part.ids[found.findIndex(Boolean)]!)
    await this.#index(part.stream, stored, part.digests)
    return {
      revision: stored[stored.length - 1]!.revision,
      positions: stored.map((e) => e.position),
      written: false,
    }
  }

  async #indexEntry(id: string): Promise<IdIndexEntry | undefined> {
    const [first] = await this.#read(idIndexStream(id), { maxCount: 1 })
    return first?.event ? parseIdIndexEntry(first.event.type, first.event.data) : undefined
  }

  async #index(stream: string, stored: RecordedEvent[], digests: readonly string[]): Promise<void> {
    await mapLimit(stored, this.#concurrency, async (e, i) => {
      const entry = { stream, revision: e.revision, position: e.position, digest: digests[i]! }
      try {
        await this.#client.appendToStream(idIndexStream(e.id), idIndexEvent(e.id, entry), {
          streamState: NO_STREAM,
        })
      } catch (error) {
        // Another process indexed this id first (it stored the same id at the same moment):
        // the first entry stands, and later appends of the id are judged against it.
        if (!(error instanceof WrongExpectedVersionError)) throw error
      }
    })
  }

  /** Commit position of the last record of the whole log (system events included), -1 when empty. */
  async #logHead(): Promise<bigint> {
    for await (const r of this.#client.readAll({ direction: BACKWARDS, fromPosition: END, maxCount: 1 }))
      return positionOf(r) ?? -1n
    return -1n
  }

  async #readRange(stream: string, from: number, count: number): Promise<RecordedEvent[]> {
    if (from < 0) return []
    const events = await this.#read(stream, { fromRevision: BigInt(from), maxCount: count })
    return events.map(toRecorded)
  }

  async #read(
    stream: string,
    options: {
      direction?: typeof FORWARDS | typeof BACKWARDS
      fromRevision?: ReadRevision
      maxCount?: number
    },
  ): Promise<ResolvedEvent[]> {
    const events: ResolvedEvent[] = []
    try {
      for await (const r of this.#client.readStream(stream, options)) events.push(r)
    } catch (error) {
      // A stream that was never written, or that an operator deleted, reads as empty.
      if (error instanceof StreamNotFoundError || error instanceof StreamDeletedError) return []
      throw error
    }
    return events
  }

  async #lastRevision(stream: string): Promise<number> {
    const [last] = await this.#read(stream, { direction: BACKWARDS, fromRevision: END, maxCount: 1 })
    return last?.event ? Number(last.event.revision) : -1
  }

  async readStream(stream: string, options: ReadStreamOptions = {}): Promise<RecordedEvent[]> {
    assertStreamName(stream)
    this.#assertOpen()
    const backwards = options.direction === 'backwards'
    const maxCount = options.maxCount === undefined ? Number.MAX_SAFE_INTEGER : Math.floor(options.maxCount)
    if (maxCount <= 0) return []
    let fromRevision: ReadRevision = backwards ? END : START
    if (options.fromRevision !== undefined) {
      // The SQL adapter compares revisions (`>= from` forwards, `<= from` backwards); KurrentDB
      // takes a whole, non-negative start.
      const from = backwards ? Math.floor(options.fromRevision) : Math.ceil(options.fromRevision)
      if (from >= 0) fromRevision = BigInt(from)
      else if (backwards) return []
    }
    try {
      const events = await this.#read(stream, {
        direction: backwards ? BACKWARDS : FORWARDS,
        fromRevision,
        maxCount,
      })
      return events.map(toRecorded)
    } catch (error) {
      throw translateError(error)
    }
  }

  async streamRevision(stream: string): Promise<number> {
    assertStreamName(stream)
    this.#assertOpen()
    try {
      return await this.#lastRevision(stream)
    } catch (error) {
      throw translateError(error)
    }
  }

  async readAll(options: ReadAllOptions = {}): Promise<RecordedEvent[]> {
    if (this.#closed) return []
    const max = options.maxCount ?? 1000
    if (max <= 0) return []
    let floor = options.after ?? 0n
    const out: RecordedEvent[] = []
    try {
      // The server fills `maxCount` with events that pass the stream filter (it pages on until
      // it has them or reaches the end); one more is asked for because the read starts at, and
      // includes, the checkpoint's event. `$` event types are dropped here, so a short batch
      // may need another read.
      for (;;) {
        const want = max - out.length + 1
        let got = 0
        for await (const r of this.#client.readAll({
          fromPosition: readAllFrom(floor),
          maxCount: want,
          filter: this.#feedFilter,
        })) {
          got++
          const position = positionOf(r)
          if (!r.event || position === undefined || position <= floor) continue
          floor = position
          if (isFeedEvent(r.event.streamId, r.event.type)) out.push(toRecorded(r))
        }
        if (got < want || out.length >= max) return out.slice(0, max)
      }
    } catch (error) {
      if (this.#closed) return []
      throw translateError(error)
    }
  }

  async headPosition(): Promise<bigint> {
    this.#assertOpen()
    const batch = 32
    let from: ReadPosition = END
    try {
      for (;;) {
        let got = 0
        for await (const r of this.#client.readAll({
          direction: BACKWARDS,
          fromPosition: from,
          maxCount: batch,
          filter: this.#feedFilter,
        })) {
          got++
          const position = positionOf(r)
          if (!r.event || position === undefined) continue
          if (isFeedEvent(r.event.streamId, r.event.type)) return position
          // Backward reads exclude their start position.
          from = { commit: position, prepare: position }
        }
        if (got < batch) return 0n
      }
    } catch (error) {
      throw translateError(error)
    }
  }

  /** KurrentDB's $all shows an event once it is committed: the last committed is the head. */
  lastPosition(): Promise<bigint> {
    return this.headPosition()
  }

  subscribe(options: SubscribeOptions = {}): AsyncIterable<FeedBatch> {
    return pollFeed((o) => this.readAll(o), this.#wake, options)
  }

  async close(): Promise<void> {
    if (this.#closed) return
    this.#closed = true
    this.#wake.notify()
    await this.#client.dispose()
  }

  #assertOpen(): void {
    if (this.#closed) throw new TrecError('TREC_STORE_UNAVAILABLE', 'the event store is closed')
  }
}

/** Connects to KurrentDB (the client connects lazily; the probe makes a bad address fail here). */
export async function openKurrentDbEventStore(
  options: OpenKurrentDbEventStoreOptions,
): Promise<KurrentDbEventStore> {
  const client = KurrentDBClient.connectionString(options.connectionString)
  const store = new KurrentDbEventStore(client, options)
  if (!options.skipProbe) {
    try {
      await store.headPosition()
    } catch (error) {
      await store.close().catch(() => undefined)
      throw error
    }
  }
  return store
}
