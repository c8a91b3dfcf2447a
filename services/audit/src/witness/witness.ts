import type { KeyObject } from 'node:crypto'
import { readFile, rename, writeFile } from 'node:fs/promises'
import {
  type CheckpointTrust,
  cosign,
  decodeBase64Strict,
  KeySet,
  parseCheckpoint,
  parseVerifierKey,
  verifyCheckpointNote,
  verifyConsistency,
} from '@trec/merkle'

// A reference witness (C2SP tlog-witness): it keeps, per log it follows, the newest checkpoint it
// cosigned, and cosigns a new one only if a consistency proof from that one holds. A log that
// shows it a different tree, at the same size (two roots) or one that does not extend what it
// cosigned (a proof that fails), is refused and reported: both signed notes, the one it had
// cosigned and the one offered, are kept as evidence (`forks`) and written to stderr. Every
// check and the state change happen in one step, one request after another, and the state is on
// disk (written, then renamed over the old) before the answer, so a witness never rolls back.

export interface WitnessOptions {
  /** The witness's name (its key name), e.g. witness.example.org/w1. */
  name: string
  privateKey: KeyObject
  /** The logs it follows: their note verifier keys (the key name is the log's origin). */
  logs: readonly string[]
  /** Where the state is kept (JSON). */
  stateFile: string
  /** Seconds since the epoch; a clock for tests. */
  now?: () => number
}

export interface ForkEvidence {
  origin: string
  /** `same-size-different-root`, or `inconsistent` (the offered tree does not extend the cosigned one). */
  kind: 'same-size-different-root' | 'inconsistent'
  /** The signed note this witness had cosigned. */
  cosigned: string
  /** The signed note it was shown and refused. */
  offered: string
  detectedAt: string
}

interface State {
  logs: Record<string, { size: number; root: string; note: string }>
  forks: ForkEvidence[]
}

export interface WitnessAnswer {
  status: number
  contentType: string
  body: string
}

const text = (status: number, body: string): WitnessAnswer => ({
  status,
  contentType: 'text/plain; charset=utf-8',
  body: body.endsWith('\n') ? body : `${body}\n`,
})

export class Witness {
  readonly #o: WitnessOptions
  readonly #trust = new Map<string, CheckpointTrust>()
  #state: State = { logs: {}, forks: [] }
  #queue: Promise<unknown> = Promise.resolve()

  private constructor(options: WitnessOptions) {
    this.#o = options
  }

  static async open(options: WitnessOptions): Promise<Witness> {
    const witness = new Witness(options)
    const byOrigin = new Map<string, ReturnType<typeof parseVerifierKey>[]>()
    for (const vkey of options.logs) {
      const key = parseVerifierKey(vkey)
      byOrigin.set(key.name, [...(byOrigin.get(key.name) ?? []), key])
    }
    for (const [origin, keys] of byOrigin)
      witness.#trust.set(origin, {
        origin,
        keys: await KeySet.create(
          keys.map((k) => ({ name: k.name, publicKey: k.publicKey, notBefore: new Date(0) })),
        ),
      })
    const saved = await readFile(options.stateFile, 'utf8').catch(() => undefined)
    if (saved !== undefined) witness.#state = JSON.parse(saved) as State
    return witness
  }

  /** Fork evidence seen so far. */
  get forks(): readonly ForkEvidence[] {
    return this.#state.forks
  }

  /** POST add-checkpoint: the request body in, the answer out. One request at a time. */
  addCheckpoint(body: string): Promise<WitnessAnswer> {
    const next = this.#queue.then(() => this.#add(body))
    this.#queue = next.catch(() => undefined)
    return next
  }

  async #add(body: string): Promise<WitnessAnswer> {
    const blank = body.indexOf('\n\n')
    if (blank === -1) return text(400, 'want: old <size>, proof lines, a blank line, the checkpoint')
    const [oldLine, ...proofLines] = body.slice(0, blank).split('\n')
    const oldMatch = /^old (0|[1-9]\d{0,15})$/.exec(oldLine ?? '')
    const proof = proofLines.map((l) => decodeBase64Strict(l))
    if (!oldMatch || proofLines.length > 63 || proof.some((p) => p?.length !== 32))
      return text(400, 'want "old <size>" and at most 63 base64 hashes, one per line')
    const old = Number(oldMatch[1])
    const note = body.slice(blank + 2)
    const split = note.lastIndexOf('\n\n')
    let origin: string
    try {
      origin = parseCheckpoint(note.slice(0, split + 1)).origin
    } catch {
      return text(400, 'the checkpoint is malformed')
    }
    const trust = this.#trust.get(origin)
    if (!trust) return text(404, `this witness does not follow ${origin}`)
    const verified = verifyCheckpointNote(note, trust)
    if (!verified.ok)
      return text(verified.reason === 'malformed' ? 400 : 403, `${verified.reason}: ${verified.message}`)
    const { size, root } = verified.checkpoint
    if (old > size) return text(400, `old size ${old} is larger than the checkpoint's ${size}`)
    const latest = this.#state.logs[origin]
    const latestSize = latest?.size ?? 0
    if (old !== latestSize) return { status: 409, contentType: 'text/x.tlog.size', body: `${latestSize}\n` }
    const rootText = Buffer.from(root).toString('base64')
    if (latest && old === size && latest.root !== rootText) {
      await this.#fork(origin, 'same-size-different-root', latest.note, note)
      return text(409, `a different root was cosigned for size ${size}: the log forked`)
    }
    if (latest && old < size) {
      const result = verifyConsistency(
        old,
        size,
        proof.map((p) => p!),
        Buffer.from(latest.root, 'base64'),
        root,
      )
      if (!result.ok) {
        await this.#fork(origin, 'inconsistent', latest.note, note)
        return text(422, `the consistency proof from ${old} to ${size} fails: ${result.reason}`)
      }
    } else if (proof.length > 0) return text(422, 'no proof is sent from size 0 or between equal sizes')
    this.#state.logs[origin] = { size, root: rootText, note }
    await this.#save()
    const now = Math.floor((this.#o.now ?? (() => Date.now() / 1000))())
    return text(200, cosign(verified.body, this.#o.name, this.#o.privateKey, now))
  }

  async #fork(origin: string, kind: ForkEvidence['kind'], cosigned: string, offered: string) {
    const evidence = { origin, kind, cosigned, offered, detectedAt: new Date().toISOString() }
    this.#state.forks.push(evidence)
    await this.#save()
    process.stderr.write(`${JSON.stringify({ event: 'fork-detected', ...evidence })}\n`)
  }

  async #save(): Promise<void> {
    const temporary = `${this.#o.stateFile}.tmp`
    await writeFile(temporary, JSON.stringify(this.#state))
    await rename(temporary, this.#o.stateFile)
  }
}
