import { createHash, type Hash } from 'node:crypto'
import { cryptoProfile, uuidPattern } from '@trec/core'
import type { Checkpoint, CheckpointTrust } from '@trec/merkle'
import type { Selection } from '../selection.ts'
import { fail, VerificationFailed, type VerifyFailure } from './failure.ts'
import { defaultFold, type FoldFactory, folds, type ReplayFold, toFoldEvent } from './folds.ts'
import { checkConsistency, type ExportHeader, verifyHeader } from './header.ts'
import { type Citation, isObject, type RunResult, type RunSetup } from './lines.ts'
import { UuidSet, uuidText } from './uuid-set.ts'

// The offline verifier: the header's checkpoint against the pinned keys (signed note and JWS),
// consistency with checkpoints seen before, then each event line — its leaf index in order and
// below the tree size, its leaf hash and inclusion proof up to the signed root, its place in the
// selection (checked in runs of lines by `RunChecker`, lines.ts, merged here in file order) — and
// at the end the count and digest of the leaves, the evidence every
// event cites (in the export, at a lower leaf index), and the replay of the events through a
// read-model fold compared with the expected result. The first failure stops it.

export interface VerifyOptions {
  trust: CheckpointTrust
  /** Checkpoints seen before (verified against the same trust). */
  seen?: readonly Checkpoint[]
  /** The fold to replay (a name of `folds` or a factory); default by selection; null for none. */
  fold?: string | FoldFactory | null
  /** The result the replay must give (what the API answered). */
  expect?: unknown
  /** Threads checking runs of lines (default: the cores available, at most 8); 1: this one only. */
  threads?: number
  /** Bytes of lines per run (default 4 MiB); an export within one run is checked in this thread. */
  runBytes?: number
}

export interface VerifyReport {
  checkpoint: { origin: string; size: number; root: string; timestamp: string }
  selection: Selection
  events: number
  seenCheckpoints: number
  accessEventId: string
  replay?: { fold: string; result: unknown; matchesExpected?: boolean }
  /** Node hashes computed for the inclusion proofs. */
  nodeHashes: number
}

export class ExportVerifier {
  readonly #options: VerifyOptions
  #line = 0
  #header?: ExportHeader
  #checkpoint?: Checkpoint
  #selection?: Selection
  #fold?: ReplayFold
  #lastIndex = -1
  #events = 0
  /** The leaf index digest, with the profile's hash (known once the header is read). */
  #digest?: Hash
  #hashes = 0
  /** Every event id shown so far; sized by the header. */
  #ids = new UuidSet()
  readonly #pending: Citation[] = []
  /** The ids pending citations wait for, and the leaf each was logged at once it shows up. */
  readonly #later = new Map<string, number | undefined>()
  readonly #cited = new UuidSet()
  readonly #outside: { line: number; eventId: string }[] = []

  constructor(options: VerifyOptions) {
    this.#options = options
  }

  get lines(): number {
    return this.#line
  }

  /** Line 1. */
  async header(line: Buffer): Promise<void> {
    this.#line = 1
    const verified = await verifyHeader(line.toString('utf8'), this.#options.trust)
    checkConsistency(verified, this.#options.seen ?? [])
    this.#header = verified.header
    // The count is not proven yet, so a header cannot make it reserve more than 64 MiB.
    this.#ids = new UuidSet(Math.min(verified.header.events, 1 << 21))
    this.#checkpoint = verified.checkpoint
    this.#selection = verified.selection
    this.#digest = createHash(cryptoProfile().hash)
    const fold = this.#options.fold === undefined ? defaultFold(verified.selection) : this.#options.fold
    if (fold !== null) {
      const factory = typeof fold === 'string' ? folds[fold] : fold
      if (!factory) throw new Error(`no fold named ${fold}; known: ${Object.keys(folds).join(', ')}`)
      this.#fold = factory(verified.selection)
    }
  }

  /** What every run of event lines is checked against; set by the header. */
  get runSetup(): RunSetup {
    const checkpoint = this.#checkpoint
    if (!checkpoint || !this.#selection) throw new Error('the header comes first')
    const fold = this.#fold
    return {
      profile: cryptoProfile().name,
      size: checkpoint.size,
      root: checkpoint.root,
      selection: this.#selection,
      foldTypes: fold ? (fold.types ? [...fold.types] : 'all') : null,
    }
  }

  /**
   * The result of the next run of event lines (`RunChecker`), in file order: what spans runs —
   * leaf order across them, the leaf digest, citations of earlier runs' events, the replay — and
   * then the run's own first failure, if any. Line numbers become the file's.
   */
  merge(run: RunResult): void {
    const base = this.#line + 1
    const failure = run.failure && { ...run.failure, line: base + run.failure.line }
    if (failure?.line === base && failure.reason === 'line-malformed') throw new VerificationFailed(failure)
    if (run.first && run.first.index <= this.#lastIndex)
      fail(
        base,
        'leaf-order',
        `leaf ${run.first.index} comes after leaf ${this.#lastIndex}`,
        run.first.claimedId,
      )
    // Citations the run could not resolve itself: of an earlier run's event, or still pending.
    for (const c of run.citations)
      if (!this.#ids.has(c.cited)) {
        this.#pending.push({ ...c, line: base + c.line })
        this.#later.set(c.cited, undefined)
      }
    const indexes = Buffer.from(run.indexBytes.buffer, run.indexBytes.byteOffset, run.indexBytes.byteLength)
    const leafAt = (k: number) => indexes.readUInt32BE(8 * k) * 2 ** 32 + indexes.readUInt32BE(8 * k + 4)
    // An event at two leaves: the store and the notary never write one twice.
    const words = run.idWords
    let repeated = run.count
    for (let k = 0; k < run.count; k++) {
      if (!this.#ids.addWords(words, 4 * k)) {
        repeated = k
        break
      }
      if (this.#later.size > 0) {
        const id = uuidText(words, 4 * k)
        if (this.#later.has(id)) this.#later.set(id, leafAt(k))
      }
    }
    for (const cited of run.cited) if (uuidPattern.test(cited)) this.#cited.add(cited)
    for (const o of run.outside) this.#outside.push({ line: base + o.line, eventId: o.eventId })
    const fold = this.#fold
    if (fold)
      for (const { line, envelope } of run.foldEvents) {
        if (line >= repeated) break
        try {
          fold.step(toFoldEvent(envelope))
        } catch (error) {
          fail(
            base + line,
            'event-malformed',
            `the event does not match its contract: ${(error as Error).message}`,
            envelope.id,
          )
        }
      }
    if (repeated < run.count)
      fail(
        base + repeated,
        'event-repeated',
        `the event is in the log twice (again at leaf ${leafAt(repeated)})`,
        uuidText(words, 4 * repeated),
      )
    this.#digest!.update(indexes)
    this.#events += run.count
    this.#line += run.count
    this.#hashes += run.hashes
    if (run.count > 0) this.#lastIndex = run.lastIndex
    if (failure) throw new VerificationFailed(failure)
  }

  /** After the last line; `truncated` when the file did not end with a newline. */
  finish(): VerifyReport {
    const header = this.#header
    const checkpoint = this.#checkpoint
    if (!header || !checkpoint) fail(0, 'header-malformed', 'the export is empty')
    if (this.#events !== header.events)
      fail(
        this.#line,
        'event-count',
        `the header announces ${header.events} events, the export holds ${this.#events}`,
      )
    const digest = this.#digest!.digest('hex')
    if (digest !== header.leafIndexDigest)
      fail(0, 'leaf-digest', `the leaf indexes are not the ones the header lists (digest ${digest})`)
    for (const c of this.#pending) {
      const at = this.#later.get(c.cited)
      if (at === undefined)
        fail(c.line, 'evidence-missing', `cites ${c.cited}, which is not in the export`, c.eventId)
      fail(
        c.line,
        'evidence-after-citing-event',
        `cites ${c.cited}, logged later at leaf ${at} (this is leaf ${c.index})`,
        c.eventId,
      )
    }
    for (const o of this.#outside)
      if (!this.#cited.has(o.eventId))
        fail(
          o.line,
          'selection-mismatch',
          `the event is not part of the ${this.#selection!.kind} selection`,
          o.eventId,
        )
    const report: VerifyReport = {
      checkpoint: {
        origin: checkpoint.origin,
        size: checkpoint.size,
        root: Buffer.from(checkpoint.root).toString('base64'),
        timestamp: new Date(checkpoint.timestamp).toISOString(),
      },
      selection: header.selection,
      events: this.#events,
      seenCheckpoints: this.#options.seen?.length ?? 0,
      accessEventId: header.access.eventId,
      nodeHashes: this.#hashes,
    }
    if (this.#fold) {
      const result = this.#fold.result()
      report.replay = { fold: this.#fold.name, result }
      if (this.#options.expect !== undefined) {
        const difference = firstDifference(toJson(result), toJson(this.#options.expect))
        if (difference !== undefined)
          fail(
            0,
            'replay-mismatch',
            `${this.#fold.name}: the replay differs from the expected result at ${difference}`,
          )
        report.replay.matchesExpected = true
      }
    }
    return report
  }
}

function toJson(value: unknown): unknown {
  return JSON.parse(JSON.stringify(value, (_k, v) => (typeof v === 'bigint' ? v.toString() : v)))
}

/** The path of the first difference between two JSON values, or undefined when equal. */
export function firstDifference(a: unknown, b: unknown, path = '$'): string | undefined {
  if (Array.isArray(a) && Array.isArray(b)) {
    for (let i = 0; i < Math.max(a.length, b.length); i++) {
      const d = firstDifference(a[i], b[i], `${path}[${i}]`)
      if (d !== undefined) return d
    }
    return undefined
  }
  if (isObject(a) && isObject(b)) {
    for (const key of [...new Set([...Object.keys(a), ...Object.keys(b)])].sort()) {
      const d = firstDifference(a[key], b[key], `${path}.${key}`)
      if (d !== undefined) return d
    }
    return undefined
  }
  return Object.is(a, b) ? undefined : path
}

/** Runs a verifier over lines, turning the first failure into a value. */
export type VerifyResult = { ok: true; report: VerifyReport } | { ok: false; failure: VerifyFailure }

export function asResult(error: unknown): VerifyResult {
  if (error instanceof VerificationFailed) return { ok: false, failure: error.failure }
  throw error
}
