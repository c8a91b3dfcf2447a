import { randomUUID } from 'node:crypto'
import type { Claims, TokenIssuer } from '@trec/fastify-kit'

// The load's HTTP client. Every command carries an Idempotency-Key; when an attempt gets no
// answer (connection refused or reset, a timeout) or a 5xx, or the service says a request with
// that key is still running, it sends the same request with the same key again, with backoff,
// until it gets a definite answer or `retryForMs` has passed. Every command and its outcome is
// kept in the ledger the checks read at the end.

export type Who = Omit<Claims, 'jti' | 'client_id'>

// biome-ignore lint/suspicious/noExplicitAny: answers are read field by field, as their routes' schemas fix them
export type Json = any

export interface CommandRecord {
  seq: number
  /** What the load meant by it, e.g. `class.apply`. */
  label: string
  key: string
  /** The idempotency scope of the caller: `client_id/sub`. */
  caller: string
  process: string
  url: string
  body: unknown
  attempts: number
  /** Attempts without a definite answer: no response, a 5xx, or "still running". */
  retries: number
  /** Some attempt may have run without its answer reaching us (no response or a 5xx). */
  uncertain: boolean
  outcome: 'acknowledged' | 'refused' | 'gave-up'
  status?: number
  /** The problem code of a refusal. */
  code?: string
  answer?: Json
  /** Event ids the acknowledgement names. */
  ids: string[]
  replayed: boolean
  sentAt: number
  doneAt: number
  lastError?: string
  /** Why attempts were sent again: error code or status, and how often. */
  retryCauses: Record<string, number>
}

export interface ClientOptions {
  issuer: TokenIssuer
  /** Where each service is served: the base URL of the process that runs it. */
  baseOf: (process: string) => string
  retryForMs: number
  attemptTimeoutMs: number
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

/** Every event id an answer names (`ids`, or `id` for single events). */
export function idsOf(answer: Json): string[] {
  if (!answer || typeof answer !== 'object') return []
  if (Array.isArray(answer.ids)) return answer.ids.filter((x: unknown) => typeof x === 'string')
  if (typeof answer.eventId === 'string') return [answer.eventId]
  return []
}

export class LoadClient {
  readonly ledger: CommandRecord[] = []
  readonly #options: ClientOptions
  readonly #tokens = new Map<string, Promise<string>>()
  #seq = 0
  /** Commands in flight now. */
  inFlight = 0

  constructor(options: ClientOptions) {
    this.#options = options
  }

  token(who: Who): Promise<string> {
    const key = JSON.stringify(who)
    let t = this.#tokens.get(key)
    if (!t) {
      t = this.#options.issuer.mint(who, 6 * 3600)
      this.#tokens.set(key, t)
    }
    return t
  }

  /** A GET, retried the same way; answers the body of a 200, or undefined. */
  async read(process: string, url: string, who: Who | undefined, forMs = 30_000): Promise<Json> {
    const deadline = Date.now() + forMs
    for (let attempt = 0; Date.now() < deadline; attempt++) {
      try {
        const res = await fetch(`${this.#options.baseOf(process)}${url}`, {
          headers: who ? { authorization: `Bearer ${await this.token(who)}` } : {},
          signal: AbortSignal.timeout(this.#options.attemptTimeoutMs),
        })
        const text = await res.text()
        if (res.status === 200) return JSON.parse(text)
        if (res.status < 500 && res.status !== 429) return undefined
      } catch {
        // retried
      }
      await sleep(Math.min(2000, 200 * 1.5 ** attempt))
    }
    return undefined
  }

  /** Sends one command until it is acknowledged or refused (or the retry budget is spent). */
  async command(
    label: string,
    process: string,
    url: string,
    who: Who,
    body: unknown,
  ): Promise<CommandRecord> {
    const record: CommandRecord = {
      seq: ++this.#seq,
      label,
      key: `chaos-${randomUUID()}`,
      caller: `${who.sub}/${who.sub}`,
      process,
      url,
      body,
      attempts: 0,
      retries: 0,
      uncertain: false,
      outcome: 'gave-up',
      ids: [],
      replayed: false,
      retryCauses: {},
      sentAt: Date.now(),
      doneAt: 0,
    }
    this.ledger.push(record)
    this.inFlight++
    try {
      const payload = JSON.stringify(body)
      const deadline = record.sentAt + this.#options.retryForMs
      const headers = {
        authorization: `Bearer ${await this.token(who)}`,
        'content-type': 'application/json',
        'idempotency-key': record.key,
      }
      while (Date.now() < deadline) {
        record.attempts++
        let status: number
        let text: string
        let replayed = false
        try {
          const res = await fetch(`${this.#options.baseOf(process)}${url}`, {
            method: 'POST',
            headers,
            body: payload,
            signal: AbortSignal.timeout(this.#options.attemptTimeoutMs),
          })
          status = res.status
          replayed = res.headers.get('idempotent-replayed') === 'true'
          text = await res.text()
        } catch (error) {
          // Refused before it was sent, or lost on the way back: the command may have run.
          const e = error as Error & { cause?: { code?: string } }
          record.lastError = e.cause?.code ?? e.name
          if (record.lastError !== 'ECONNREFUSED') record.uncertain = true
          record.retryCauses[record.lastError] = (record.retryCauses[record.lastError] ?? 0) + 1
          record.retries++
          await sleep(this.#backoff(record.attempts))
          continue
        }
        let answer: Json
        try {
          answer = JSON.parse(text)
        } catch {
          answer = undefined
        }
        const code = typeof answer?.code === 'string' ? (answer.code as string) : undefined
        if (status >= 500 || status === 429 || code === 'TREC_IDEMPOTENCY_IN_PROGRESS') {
          if (status >= 500) record.uncertain = true
          record.lastError = `${status}${code ? ` ${code}` : ''}`
          record.retryCauses[record.lastError] = (record.retryCauses[record.lastError] ?? 0) + 1
          record.retries++
          await sleep(code === 'TREC_IDEMPOTENCY_IN_PROGRESS' ? 2000 : this.#backoff(record.attempts))
          continue
        }
        record.status = status
        record.answer = answer
        record.replayed = replayed
        if (status >= 200 && status < 300) {
          record.outcome = 'acknowledged'
          record.ids = idsOf(answer)
        } else {
          record.outcome = 'refused'
          if (code) record.code = code
        }
        break
      }
      return record
    } finally {
      record.doneAt = Date.now()
      this.inFlight--
    }
  }

  #backoff(attempt: number): number {
    return Math.min(2000, 150 * 1.6 ** Math.min(attempt, 10)) * (0.5 + Math.random() / 2)
  }
}
