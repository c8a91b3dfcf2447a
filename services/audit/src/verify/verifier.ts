import { createHash } from 'node:crypto'
import type { Checkpoint, CheckpointTrust } from '@trec/merkle'
import { citedBy, isSelected, type Selection } from '../selection.ts'
import { type FailureReason, fail, VerificationFailed, type VerifyFailure } from './failure.ts'
import {
  defaultFold,
  type ExportedEnvelope,
  type FoldFactory,
  folds,
  type ReplayFold,
  toFoldEvent,
} from './folds.ts'
import { checkConsistency, type ExportHeader, verifyHeader } from './header.ts'
import { InclusionChecker, leafHashInPlace } from './inclusion.ts'
import { parseEventLine } from './line.ts'

// The offline verifier, line by line: the header's checkpoint against the pinned keys (signed
// note and JWS), consistency with checkpoints seen before, then each event line — its leaf index
// in order and below the tree size, its leaf hash and inclusion proof up to the signed root, its
// place in the selection — and at the end the count and digest of the leaves, the evidence every
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

interface Citation {
  line: number
  eventId: string
  index: number
  cited: string
}

export class ExportVerifier {
  readonly #options: VerifyOptions
  #line = 0
  #header?: ExportHeader
  #checkpoint?: Checkpoint
  #selection?: Selection
  #checker?: InclusionChecker
  #fold?: ReplayFold
  #lastIndex = -1
  #events = 0
  readonly #digest = createHash('sha256')
  readonly #indexBytes = Buffer.alloc(8)
  readonly #ids = new Map<string, number>()
  readonly #pending: Citation[] = []
  readonly #cited = new Set<string>()
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
    this.#checkpoint = verified.checkpoint
    this.#selection = verified.selection
    this.#checker = new InclusionChecker(verified.checkpoint.size, verified.checkpoint.root)
    const fold = this.#options.fold === undefined ? defaultFold(verified.selection) : this.#options.fold
    if (fold !== null) {
      const factory = typeof fold === 'string' ? folds[fold] : fold
      if (!factory) throw new Error(`no fold named ${fold}; known: ${Object.keys(folds).join(', ')}`)
      this.#fold = factory(verified.selection)
    }
  }

  /** Every line after the header. */
  event(raw: Buffer): void {
    const line = ++this.#line
    const checker = this.#checker
    if (!checker) throw new Error('the header comes first')
    const parsed = parseEventLine(raw)
    if (typeof parsed === 'string') fail(line, 'line-malformed', parsed)
    const { index } = parsed
    if (index <= this.#lastIndex)
      fail(line, 'leaf-order', `leaf ${index} comes after leaf ${this.#lastIndex}`, claimedId(parsed.event))
    if (index >= checker.size)
      fail(
        line,
        'leaf-out-of-range',
        `leaf ${index} is not in the tree of size ${checker.size}`,
        claimedId(parsed.event),
      )
    const leaf = leafHashInPlace(raw, parsed.event.byteOffset - raw.byteOffset, parsed.event.length)
    const failure = checker.check(leaf, index, parsed.proof, parsed.proofLength)
    if (failure !== undefined)
      fail(line, 'inclusion-failed', `leaf ${index}: ${inclusionMessage[failure]}`, claimedId(parsed.event))
    this.#lastIndex = index
    this.#indexBytes.writeBigUInt64BE(BigInt(index))
    this.#digest.update(this.#indexBytes)
    const envelope = toEnvelope(parsed.event)
    if (typeof envelope === 'string') fail(line, 'event-malformed', envelope)
    this.#ids.set(envelope.id, index)
    for (const cited of citedBy(envelope)) {
      this.#cited.add(cited)
      if (!this.#ids.has(cited)) this.#pending.push({ line, eventId: envelope.id, index, cited })
    }
    if (!isSelected(this.#selection!, envelope)) this.#outside.push({ line, eventId: envelope.id })
    const fold = this.#fold
    if (fold && (fold.types === undefined || fold.types.has(envelope.type))) {
      try {
        fold.step(toFoldEvent(envelope))
      } catch (error) {
        fail(
          line,
          'event-malformed',
          `the event does not match its contract: ${(error as Error).message}`,
          envelope.id,
        )
      }
    }
    this.#events += 1
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
    const digest = this.#digest.digest('hex')
    if (digest !== header.leafIndexDigest)
      fail(0, 'leaf-digest', `the leaf indexes are not the ones the header lists (digest ${digest})`)
    for (const c of this.#pending) {
      const at = this.#ids.get(c.cited)
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
      nodeHashes: this.#checker!.hashes,
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

const inclusionMessage: Record<string, string> = {
  'bad-proof-element': 'a proof element is not a base64 SHA-256 hash',
  'proof-too-long': 'the proof is longer than the path to the root',
  'proof-too-short': 'the proof is shorter than the path to the root',
  'root-mismatch': 'the proof does not lead to the checkpoint root',
  'path-mismatch': 'the upper proof differs from the path already verified for this tree',
}

/** For failure messages only: the id the (unverified) event claims. */
function claimedId(event: Buffer): string | undefined {
  try {
    const id = (JSON.parse(event.toString('utf8')) as { id?: unknown }).id
    return typeof id === 'string' ? id : undefined
  } catch {
    return undefined
  }
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v)

function toEnvelope(bytes: Buffer): ExportedEnvelope | string {
  let e: unknown
  try {
    e = JSON.parse(bytes.toString('utf8'))
  } catch {
    return 'the event is not JSON'
  }
  if (
    !isObject(e) ||
    typeof e.id !== 'string' ||
    typeof e.stream !== 'string' ||
    typeof e.type !== 'string' ||
    typeof e.position !== 'string' ||
    !/^[0-9]+$/.test(e.position) ||
    typeof e.revision !== 'number' ||
    typeof e.recordedAt !== 'string' ||
    !isObject(e.data) ||
    !isObject(e.metadata)
  )
    return 'the event is not a stored envelope {id, stream, revision, position, type, data, metadata, recordedAt}'
  return e as unknown as ExportedEnvelope
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

export type { FailureReason }
