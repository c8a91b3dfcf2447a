import type { JsonObject } from '@trec/core'

/**
 * What the writer expects of the stream before its events go in:
 * - `'any'`: no check;
 * - `'no_stream'`: the stream must not exist yet;
 * - a number: the stream's last revision must be exactly this (revisions count from 0).
 */
export type ExpectedRevision = 'any' | 'no_stream' | number

export interface EventToAppend {
  /** Globally unique; re-appending the same id with the same content is a no-op success. */
  id: string
  type: string
  data: JsonObject
  metadata?: JsonObject
}

export interface RecordedEvent {
  id: string
  stream: string
  /** Position in its stream, from 0, dense. */
  revision: number
  /**
   * Position in the global feed. Strictly increasing in feed order; not dense (adapters may
   * leave holes). A subscriber that checkpoints a position never sees a smaller one later.
   */
  position: bigint
  type: string
  data: JsonObject
  metadata: JsonObject
  /** When the store recorded it: ISO 8601, UTC, millisecond precision. */
  recordedAt: string
}

export interface AppendOptions {
  expectedRevision?: ExpectedRevision
  /**
   * Runs inside the append's transaction after the events are written and before it
   * commits; if it throws, nothing is written. Adapters without transactions run it before
   * sending. Used to hold a transaction open (tests of the feed's gap safety) or to roll back.
   */
  beforeCommit?: () => Promise<void>
}

export interface AppendResult {
  /** The stream's last revision after the append. */
  revision: number
  /** Global positions of the appended events, in order. */
  positions: bigint[]
  /** False when every event id was already stored with the same content (a retry). */
  written: boolean
}

/** One stream's part of a multi-stream append. */
export interface StreamAppend {
  stream: string
  events: EventToAppend[]
  expectedRevision?: ExpectedRevision
}

export interface ReadStreamOptions {
  direction?: 'forwards' | 'backwards'
  /** Inclusive. Forwards default 0; backwards default the last revision. */
  fromRevision?: number
  maxCount?: number
}

export interface ReadAllOptions {
  /** Exclusive: events strictly after this position. Default: from the start. */
  after?: bigint
  maxCount?: number
}

export interface SubscribeOptions {
  /** Resume after this checkpoint (exclusive). Default: from the start. */
  after?: bigint
  batchSize?: number
  signal?: AbortSignal
  /** Longest wait between polls when idle and no local append signalled (ms). */
  idlePollMs?: number
  /**
   * Once live, how long to let appends gather after a wake before reading them (ms, default 0):
   * one read then takes many commands' events, instead of one read (and one transaction of the
   * consumer) per command.
   */
  settleMs?: number
  /**
   * The settle time instead of `settleMs` while the store is busy: when more appends came while the
   * last batch was read and handled (ms, default `settleMs`). Under a steady stream of commands
   * every follower's fixed cost per batch (its reads, its transaction, its checkpoint) is then
   * shared by more commands; a lone command is still followed after `settleMs`.
   */
  busySettleMs?: number
}

export interface FeedBatch {
  events: RecordedEvent[]
  /** True when, after this batch, the subscriber has read everything committed so far. */
  caughtUp: boolean
}

export interface EventStore {
  append(stream: string, events: EventToAppend[], options?: AppendOptions): Promise<AppendResult>
  /**
   * Appends to several streams atomically: every stream's expected revision holds and all
   * events are written, or nothing is. Results are in the order of `appends`.
   */
  appendMany(appends: StreamAppend[], options?: Pick<AppendOptions, 'beforeCommit'>): Promise<AppendResult[]>
  readStream(stream: string, options?: ReadStreamOptions): Promise<RecordedEvent[]>
  /**
   * Several whole streams forwards in one read (optional; adapters that cannot do it in one
   * round trip leave it out). Results are in the order of `streams`; a missing stream is `[]`.
   */
  readStreams?(streams: readonly string[]): Promise<RecordedEvent[][]>
  /**
   * The stored events among `ids` (UUIDs), in feed order; ids not stored are left out. For a
   * command retried after its answer was lost, to find what its first attempt appended
   * (optional; an adapter without an index by event id leaves it out).
   */
  readEvents?(ids: readonly string[]): Promise<RecordedEvent[]>
  /** The stream's last revision, or -1 when it does not exist. */
  streamRevision(stream: string): Promise<number>
  readAll(options?: ReadAllOptions): Promise<RecordedEvent[]>
  /**
   * How many events a reader of the feed sees after `position`, counted up to `cap` without
   * reading them (optional; an adapter that can only count by reading leaves it out). A follower's
   * lag, asked at every readiness probe and metrics scrape.
   */
  countAfter?(position: bigint, cap: number): Promise<number>
  /** Position of the last event a reader of the feed can see now (0n when empty). */
  headPosition(): Promise<bigint>
  /**
   * Position of the last event committed (0n when empty): what a reader waits for to have seen
   * everything stored so far. It can be ahead of `headPosition` while a transaction that began
   * before that event's is still open; the feed reaches it when that transaction ends.
   */
  lastPosition(): Promise<bigint>
  /**
   * Catch up from a checkpoint, then follow live. Yields batches in global order; an empty
   * batch with `caughtUp: true` marks each transition to live. Ends when `signal` aborts.
   */
  subscribe(options?: SubscribeOptions): AsyncIterable<FeedBatch>
  close(): Promise<void>
}
