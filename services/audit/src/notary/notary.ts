import { setTimeout as sleep } from 'node:timers/promises'
import type { EventStore, RecordedEvent } from '@trec/eventstore'
import { CompactTree } from '@trec/merkle'
import { feedLane, follow, type ReadModel, storeFeedSource } from '@trec/projections'
import type { Signing } from '../signing.ts'
import type { AuditDb, LogState, StoredCheckpoint } from '../sql/audit-db.ts'
import { type BatchRows, buildBatch, type DueHead } from './batch.ts'
import { Cosigner, type WitnessOptions } from './cosign.ts'

// The notary: follows the store's global feed in order and appends every event as the next leaf
// of the audit tree. One feed batch is one transaction holding the leaves (with the nodes they complete), the
// references, the new tree size and feed position, and any checkpoint that fell due, so after a
// crash the notary resumes exactly after the last committed event: no leaf twice, none skipped,
// and leaf order is feed order. Checkpoints are signed every `leaves` leaves, and after
// `seconds` seconds when the tree grew less than that.
//
// Two batches are in flight at most: while batch n's transaction inserts its rows and commits,
// batch n + 1 is hashed and its rows are inserted on another connection. Batch n + 1 moves the
// tree's state (size `from` → `to`, the transaction's last statement) only after batch n has
// committed, and only if the state is still at its `from`: batches commit in feed order, and a
// batch whose predecessor failed rolls back too.

export interface NotaryRuntimeOptions {
  store: EventStore
  log: AuditDb
  signing: Signing
  everyLeaves: number
  everySeconds: number
  batchSize: number
  clock: () => Date
  signal?: AbortSignal
  retryDelayMs: number
  onError: (error: unknown) => void
  beforeCommit?: (batch: { from: number; to: number }) => Promise<void>
  /** Witnesses to offer every new checkpoint to (cosign.ts). */
  witnesses?: WitnessOptions
}

export interface NotaryStatus {
  size: number
  feedPosition: bigint
  lastCheckpoint?: { size: number; timestamp: number }
}

export interface Notary {
  status(): NotaryStatus
  /** Resolves once every event the store held when called is in the tree. */
  sync(): Promise<void>
  /** Signs a checkpoint of the current tree now if it grew since the last one; returns the newest. */
  checkpoint(): Promise<StoredCheckpoint | undefined>
  /** Stops following the feed; resolves when the notary has stopped. */
  stop(): Promise<void>
  /** Settles when the notary stops. */
  readonly done: Promise<void>
}

export class NotaryRunner implements Notary {
  readonly #o: NotaryRuntimeOptions
  readonly #stop = new AbortController()
  readonly #signal: AbortSignal
  #tree: CompactTree = CompactTree.empty()
  #state: LogState = { size: 0, feedPosition: 0n }
  /** The newest committed checkpoint. */
  #last: { size: number; timestamp: number } | undefined
  /** The newest tree head signed, committed or in flight: the next one comes `everyLeaves` after it, later in time. */
  #head: { size: number; timestamp: number } | undefined
  /** The transaction of the last batch prepared, while it is in flight (or failed, until the next reload). */
  #writing: Promise<void> | undefined
  #lock: Promise<unknown> = Promise.resolve()
  #waiters: { target: bigint; resolve: () => void; reject: (e: unknown) => void }[] = []
  /** The round of following under way: a batch that fails ends it (see `#follow`). */
  #round = new AbortController()
  readonly #cosigner: Cosigner | undefined
  readonly done: Promise<void>

  constructor(options: NotaryRuntimeOptions) {
    this.#o = options
    this.#signal = options.signal ? AbortSignal.any([options.signal, this.#stop.signal]) : this.#stop.signal
    this.#cosigner =
      options.witnesses && options.witnesses.urls.length > 0
        ? new Cosigner(options.log, options.witnesses, options.onError, this.#signal)
        : undefined
    this.done = Promise.all([this.#follow(), this.#timer()]).then(async () => {
      await this.#cosigner?.settled()
      for (const w of this.#waiters.splice(0)) w.reject(new Error('the notary has stopped'))
    })
  }

  status(): NotaryStatus {
    return {
      size: this.#state.size,
      feedPosition: this.#state.feedPosition,
      ...(this.#last ? { lastCheckpoint: { ...this.#last } } : {}),
    }
  }

  async sync(): Promise<void> {
    // Not headPosition: while any transaction that began earlier is open (one of this notary's
    // own, on the same server), the feed does not show the newest events yet.
    const target = await this.#o.store.lastPosition()
    if (this.#state.feedPosition >= target) return
    if (this.#signal.aborted) throw new Error('the notary has stopped')
    await new Promise<void>((resolve, reject) => this.#waiters.push({ target, resolve, reject }))
  }

  async checkpoint(): Promise<StoredCheckpoint | undefined> {
    await this.#exclusive(() => this.#checkpointIfGrown())
    return this.#o.log.checkpoint()
  }

  async stop(): Promise<void> {
    this.#stop.abort()
    await this.done
  }

  /** Runs `fn` after everything queued before it: batches and timed checkpoints never interleave. */
  #exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.#lock.then(fn)
    this.#lock = run.catch(() => undefined)
    return run
  }

  /** Starts again from what is committed, once the batch in flight has settled. */
  async #reload(): Promise<void> {
    await this.#writing?.catch(() => undefined)
    this.#writing = undefined
    const { log } = this.#o
    this.#state = await log.state()
    this.#tree = await CompactTree.load(log.nodes(), this.#state.size)
    const last = await log.checkpoint()
    this.#last = last && { size: last.size, timestamp: last.timestamp }
    this.#head = this.#last
    this.#cosigner?.offer()
    // Another notary on the same log may have moved the tree past what this one waits for.
    this.#notify()
  }

  /**
   * Waits for the batch in flight to commit, and throws its error if it failed. Only the feed
   * loop reloads after a failure, as it starts a new round: the tree must never fall back under a
   * round that has read past the failed batch.
   */
  async #drain(): Promise<void> {
    const writing = this.#writing
    if (!writing) return
    await writing
    if (this.#writing === writing) this.#writing = undefined
  }

  /**
   * Follows the feed with the one runner of @trec/projections. Each round starts again from what
   * is committed; a batch that fails (even after `applyBatch` returned, while the feed is idle)
   * ends the round, and a new round retries it after `retryDelayMs`.
   */
  async #follow(): Promise<void> {
    const { store, batchSize } = this.#o
    const notary: ReadModel = {
      name: 'audit-notary',
      checkpoint: async () => ({ lanes: { [feedLane]: this.#state.feedPosition.toString() }, source: {} }),
      resume: async (fail) => {
        const round = new AbortController()
        round.signal.addEventListener('abort', () => fail(round.signal.reason), { once: true })
        this.#round = round
        await this.#exclusive(() => this.#reload())
      },
      applyBatch: async (_lane, events) => {
        const round = this.#round
        await this.#exclusive(() => this.#append(events, round))
        return events.length
      },
      settle: () => this.#exclusive(() => this.#drain()).catch((error: unknown) => this.#o.onError(error)),
    }
    await follow(storeFeedSource(store, { batchSize, readAhead: true }), notary, {
      signal: this.#signal,
      retryMs: this.#o.retryDelayMs,
      onError: this.#o.onError,
    })
  }

  async #timer(): Promise<void> {
    const period = Math.min(1000, (this.#o.everySeconds * 1000) / 4)
    while (!this.#signal.aborted) {
      await sleep(period, undefined, { signal: this.#signal }).catch(() => undefined)
      if (this.#signal.aborted) break
      const last = this.#last
      const age = this.#o.clock().getTime() - (last?.timestamp ?? 0)
      if (this.#state.size > (last?.size ?? 0) && age >= this.#o.everySeconds * 1000) {
        await this.#exclusive(() => this.#checkpointIfGrown()).catch((e: unknown) => this.#o.onError(e))
      }
    }
  }

  #notify(): void {
    const position = this.#state.feedPosition
    this.#waiters = this.#waiters.filter((w) => {
      if (w.target > position) return true
      w.resolve()
      return false
    })
  }

  /**
   * Hashes a batch into the tree and starts its transaction, then waits for the batch before it
   * to commit (so it returns with at most this one in flight).
   */
  async #append(events: RecordedEvent[], round: AbortController): Promise<void> {
    if (round.signal.aborted) throw round.signal.reason
    const from = this.#tree.size
    const rows = buildBatch(this.#tree, events, this.#o.everyLeaves, this.#head?.size ?? 0)
    const to: LogState = { size: this.#tree.size, feedPosition: rows.feedPosition }
    const signed = await this.#sign(rows.heads)
    const previous = this.#writing
    const writing = this.#write(from, to, rows, signed, previous)
    // A failure ends the round at once, even while the feed is idle, so the batch is retried.
    writing.catch((error: unknown) => round.abort(error))
    this.#writing = writing
    await previous
  }

  async #write(
    from: number,
    to: LogState,
    rows: BatchRows,
    signed: readonly StoredCheckpoint[],
    previous: Promise<void> | undefined,
  ): Promise<void> {
    const { log, beforeCommit } = this.#o
    await log.db.transaction(async (query, copyIn) => {
      await log.insertLeaves(copyIn, rows.leaves, rows.refs)
      await previous
      await log.moveState(query, from, to)
      for (const checkpoint of signed) await log.insertCheckpoint(query, checkpoint)
      await beforeCommit?.({ from, to: to.size })
    })
    this.#state = to
    const newest = signed.at(-1)
    if (newest) {
      this.#last = { size: newest.size, timestamp: newest.timestamp }
      this.#cosigner?.offer()
    }
    this.#notify()
  }

  /** Signs due tree heads before the transaction; a head that cannot be signed is reported and skipped. */
  async #sign(heads: readonly DueHead[]): Promise<StoredCheckpoint[]> {
    const signed: StoredCheckpoint[] = []
    let after = this.#head?.timestamp ?? 0
    for (const head of heads) {
      // RFC 9162 §4.10: tree head timestamps strictly increase.
      const timestamp = Math.max(this.#o.clock().getTime(), after + 1)
      try {
        const { note, jws } = await this.#o.signing.sign({
          origin: this.#o.signing.origin,
          size: head.size,
          root: head.root,
          timestamp,
        })
        signed.push({ size: head.size, root: head.root, timestamp, note, jws })
        this.#head = { size: head.size, timestamp }
        after = timestamp
      } catch (error) {
        this.#o.onError(error)
      }
    }
    return signed
  }

  async #checkpointIfGrown(): Promise<void> {
    try {
      await this.#drain()
    } catch {
      return // a failed batch is the feed loop's to report and retry: no checkpoint until it has
    }
    const size = this.#state.size
    if (size === 0 || size === this.#last?.size) return
    const [checkpoint] = await this.#sign([{ size, root: this.#tree.root() }])
    if (!checkpoint) return
    await this.#o.log.db.transaction(async (query) => {
      const state = await this.#o.log.state(query)
      if (state.size !== size) throw new Error(`the audit tree moved from ${size} to ${state.size}`)
      await this.#o.log.insertCheckpoint(query, checkpoint)
    })
    this.#last = { size, timestamp: checkpoint.timestamp }
    this.#cosigner?.offer()
  }
}
