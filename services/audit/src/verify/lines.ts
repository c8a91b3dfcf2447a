import { type CryptoProfileName, useCryptoProfile } from '@trec/core'
import { citedBy, isSelected, type Selection } from '../selection.ts'
import { fail, VerificationFailed, type VerifyFailure } from './failure.ts'
import type { ExportedEnvelope } from './folds.ts'
import { InclusionChecker, leafHashInPlace } from './inclusion.ts'
import { parseEventLine } from './line.ts'
import { eventIdWords } from './uuid-set.ts'

// The checks each event line gets on its own, over a run of consecutive lines (a chunk): the line
// format, leaf order within the run and range, the leaf hash and inclusion proof up to the signed
// root, the envelope and its id, its citations and selection membership, and picking out the
// events the replay fold reads. What spans runs (order across them, the leaf digest, evidence
// cited from another run, the fold and its decoding) is left to the caller, which merges the
// results in file order (`ExportVerifier.merge`). The same code runs in the verifying thread or
// in worker threads.
//
// Line numbers in a result are counted from the run's first line, which is 0.

/** What every run of one export is checked against: the verified header's tree and selection. */
export interface RunSetup {
  /** The crypto profile the checkpoint names: which hash the tree uses (a thread sets it too). */
  profile: CryptoProfileName
  size: number
  root: Uint8Array
  selection: Selection
  /** Event types the replay fold reads (decoded for it); 'all'; or null when nothing is replayed. */
  foldTypes: readonly string[] | 'all' | null
}

export interface Citation {
  line: number
  eventId: string
  index: number
  cited: string
}

export interface RunResult {
  /** The leaf index and claimed id of the run's first line, when it parses. */
  first?: { index: number; claimedId?: string }
  lastIndex: number
  /** Each checked event's leaf index, 8 bytes big-endian: the leaf digest's input. */
  indexBytes: Uint8Array
  /** How many events were checked (the failing line's excluded). */
  count: number
  /** Their ids, in order, each as 4 words (`uuidWords`). */
  idWords: Uint32Array
  /** Citations of events not earlier in this run. */
  citations: Citation[]
  cited: string[]
  /** Events outside the selection (allowed only if something cites them). */
  outside: { line: number; eventId: string }[]
  /** The events the fold reads, in order (decoded for it where they are merged). */
  foldEvents: { line: number; envelope: ExportedEnvelope }[]
  /** Node hashes computed for inclusion proofs. */
  hashes: number
  /** The first failing line of the run; nothing after it was checked. */
  failure?: VerifyFailure
}

const NEWLINE = 0x0a

export class RunChecker {
  readonly #setup: RunSetup
  readonly #inclusion: InclusionChecker
  readonly #foldTypes: ReadonlySet<string> | 'all' | null
  /** Where a run's leaf indexes (8 bytes big-endian each) and ids are written; reused. */
  #indexes = Buffer.alloc(0)
  #ids = new Uint32Array(0)

  constructor(setup: RunSetup) {
    this.#setup = setup
    useCryptoProfile(setup.profile)
    this.#inclusion = new InclusionChecker(setup.size, setup.root)
    this.#foldTypes = Array.isArray(setup.foldTypes)
      ? new Set(setup.foldTypes)
      : (setup.foldTypes as 'all' | null)
  }

  /** Checks the lines of `run`, each ending with a newline. */
  check(run: Buffer): RunResult {
    // An event line is longer than 34 bytes: room for each line's leaf index and id.
    const most = Math.floor(run.length / 34) + 1
    if (this.#indexes.length < most * 8) {
      this.#indexes = Buffer.allocUnsafe(most * 8)
      this.#ids = new Uint32Array(most * 4)
    }
    const result: RunResult = {
      lastIndex: -1,
      count: 0,
      indexBytes: this.#indexes,
      idWords: this.#ids,
      citations: [],
      cited: [],
      outside: [],
      foldEvents: [],
      hashes: 0,
    }
    const seen = new Set<string>()
    const hashesBefore = this.#inclusion.hashes
    try {
      for (let start = 0, line = 0; start < run.length; line++) {
        const end = run.indexOf(NEWLINE, start)
        this.#line(run.subarray(start, end), line, result, seen)
        start = end + 1
      }
    } catch (error) {
      if (!(error instanceof VerificationFailed)) throw error
      result.failure = error.failure
    }
    this.#inclusion.keepPaths()
    // Copies of what was filled, so the result owns its memory (it may go to another thread).
    result.indexBytes = new Uint8Array(this.#indexes.subarray(0, result.count * 8))
    result.idWords = this.#ids.slice(0, result.count * 4)
    result.hashes = this.#inclusion.hashes - hashesBefore
    return result
  }

  #line(raw: Buffer, line: number, r: RunResult, seen: Set<string>): void {
    const parsed = parseEventLine(raw)
    if (typeof parsed === 'string') fail(line, 'line-malformed', parsed)
    const { index } = parsed
    if (line === 0) r.first = { index, claimedId: claimedId(parsed.event) }
    else if (index <= r.lastIndex)
      fail(line, 'leaf-order', `leaf ${index} comes after leaf ${r.lastIndex}`, claimedId(parsed.event))
    const checker = this.#inclusion
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
    const envelope = toEnvelope(parsed.event)
    if (typeof envelope === 'string') fail(line, 'event-malformed', envelope)
    const k = r.count
    if (!eventIdWords(envelope.id, this.#ids, 4 * k))
      fail(line, 'event-malformed', 'the event id is not a lowercase UUID, which every stored event has')
    seen.add(envelope.id)
    for (const cited of citedBy(envelope)) {
      r.cited.push(cited)
      if (!seen.has(cited)) r.citations.push({ line, eventId: envelope.id, index, cited })
    }
    if (!isSelected(this.#setup.selection, envelope)) r.outside.push({ line, eventId: envelope.id })
    const types = this.#foldTypes
    if (types === 'all' || types?.has(envelope.type)) r.foldEvents.push({ line, envelope })
    this.#indexes.writeUInt32BE(Math.floor(index / 2 ** 32), 8 * k)
    this.#indexes.writeUInt32BE(index >>> 0, 8 * k + 4)
    r.count = k + 1
    r.lastIndex = index
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

export const isObject = (v: unknown): v is Record<string, unknown> =>
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
