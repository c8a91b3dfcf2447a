import { setTimeout as sleep } from 'node:timers/promises'
import type { AuditDb } from '../sql/audit-db.ts'
import { requestCosignature } from '../witness/client.ts'

// The notary's side of witness cosigning: after each checkpoint it commits, the notary offers
// the newest checkpoint to every configured witness (C2SP tlog-witness, witness/client.ts), with
// a consistency proof from the size that witness last cosigned, and stores each cosignature line
// it gets back (one per witness, cosignatures table). The audit API hands a checkpoint out with
// its stored cosignatures, and with `witnessCosignatures` its exports default to the newest
// checkpoint that enough witnesses cosigned. A witness that is down or refuses is reported (to
// `onError`) and asked again, with the newest checkpoint, `retryMs` later; only the newest
// checkpoint is ever offered, since a witness cosigns no tree older than one it cosigned.

export interface WitnessOptions {
  /** Base URLs of the witnesses (their `/add-checkpoint` is under them). */
  urls: readonly string[]
  /** How many of them must cosign a checkpoint; fewer is reported (default: all of them). */
  required?: number
  /** Wait before asking a witness again that failed (default 5,000 ms). */
  retryMs?: number
  /** Time allowed for one request to a witness (default 10,000 ms). */
  timeoutMs?: number
}

export class Cosigner {
  readonly #log: AuditDb
  readonly #o: WitnessOptions
  readonly #onError: (error: unknown) => void
  readonly #signal: AbortSignal
  /** The size each witness last cosigned, as far as this process knows (0: ask it). */
  readonly #cosignedSize = new Map<string, number>()
  /** Witness names (their key names) by URL, learnt from their cosignature lines. */
  readonly #names = new Map<string, string>()
  #running: Promise<void> | undefined
  #again = false

  constructor(log: AuditDb, options: WitnessOptions, onError: (error: unknown) => void, signal: AbortSignal) {
    this.#log = log
    this.#o = options
    this.#onError = onError
    this.#signal = signal
  }

  get required(): number {
    return this.#o.required ?? this.#o.urls.length
  }

  /** Offers the newest checkpoint to the witnesses that have not cosigned it (a pass at a time). */
  offer(): void {
    if (this.#signal.aborted) return
    if (this.#running) {
      this.#again = true
      return
    }
    this.#running = this.#pass().finally(() => {
      this.#running = undefined
      if (this.#again) {
        this.#again = false
        this.offer()
      }
    })
  }

  /** Settles when the pass under way (if any) has ended. */
  async settled(): Promise<void> {
    while (this.#running) await this.#running
  }

  async #pass(): Promise<void> {
    while (!this.#signal.aborted) {
      let cosigned = 0
      let size = 0
      try {
        const checkpoint = await this.#log.checkpoint()
        if (!checkpoint?.seq) return
        size = checkpoint.size
        const done = new Set(await this.#log.cosignedBy(checkpoint.seq))
        const pending = this.#o.urls.filter((url) => !done.has(this.#names.get(url) ?? ''))
        if (pending.length === 0) return
        const results = await Promise.all(pending.map((url) => this.#ask(url, checkpoint)))
        cosigned = this.#o.urls.length - pending.length + results.filter(Boolean).length
        if (cosigned >= this.#o.urls.length) return
      } catch (error) {
        this.#onError(error) // the database: asked again below
        size = -1
      }
      if (this.#signal.aborted) return
      if (size >= 0 && cosigned < this.required)
        this.#onError(
          new Error(
            `checkpoint of size ${size}: ${cosigned} of ${this.required} required witness cosignatures; asking again`,
          ),
        )
      await sleep(this.#o.retryMs ?? 5000, undefined, { signal: this.#signal }).catch(() => undefined)
    }
  }

  async #ask(url: string, checkpoint: { seq?: number; size: number; note: string }): Promise<boolean> {
    try {
      const result = await requestCosignature(
        url,
        checkpoint.note,
        checkpoint.size,
        this.#log.nodes(),
        this.#cosignedSize.get(url) ?? 0,
        AbortSignal.any([this.#signal, AbortSignal.timeout(this.#o.timeoutMs ?? 10_000)]),
      )
      if (!result.ok) {
        this.#onError(
          new Error(
            `witness ${url} refused the checkpoint of size ${checkpoint.size}: ${result.status} ${result.message}`,
          ),
        )
        this.#cosignedSize.delete(url)
        return false
      }
      const lines = result.cosignatures.split(/(?<=\n)/).filter((line) => line.startsWith('\u2014 '))
      const rows = lines.map((line) => ({ witness: line.slice(2, line.indexOf(' ', 2)), line }))
      if (rows.length === 0) throw new Error(`witness ${url} answered no cosignature line`)
      await this.#log.addCosignatures(checkpoint.seq!, rows)
      this.#names.set(url, rows[0]!.witness)
      this.#cosignedSize.set(url, checkpoint.size)
      return true
    } catch (error) {
      if (!this.#signal.aborted)
        this.#onError(new Error(`witness ${url}: ${String(error)}`, { cause: error }))
      return false
    }
  }
}
