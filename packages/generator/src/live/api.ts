import { randomUUID } from 'node:crypto'
import type { Claims, TokenIssuer } from '@trec/fastify-kit'

// The generator's side of the public API: bearer tokens minted once a caller, at most
// `concurrency` requests in flight, and every command sent with an Idempotency-Key so that a
// retry after a lost answer or a busy server (429, 503) is answered from the first attempt
// instead of appending twice.

export type Caller = Omit<Claims, 'jti' | 'client_id'>

export interface ApiAnswer {
  status: number
  // biome-ignore lint/suspicious/noExplicitAny: answers are read field by field, as the routes' schemas shape them
  body: any
}

export class ApiError extends Error {
  readonly status: number
  constructor(method: string, path: string, status: number, text: string) {
    super(`${method} ${path} answered ${status}: ${text.slice(0, 600)}`)
    this.status = status
  }
}

export interface ApiOptions {
  url: string
  issuer: Pick<TokenIssuer, 'mint'>
  /** Requests in flight at once (default 8). */
  concurrency?: number
  /** Attempts a request gets when the server is busy or the connection fails (default 6). */
  attempts?: number
  /** Called after every answered request. */
  onRequest?: () => void
}

type Body = unknown | (() => unknown)

const retryable = new Set([429, 502, 503, 504])

export class Api {
  readonly #url: string
  readonly #issuer: Pick<TokenIssuer, 'mint'>
  readonly #tokens = new Map<string, Promise<string>>()
  readonly #limit: number
  readonly #attempts: number
  readonly #waiting: (() => void)[] = []
  readonly #onRequest: () => void
  #inFlight = 0
  requests = 0

  constructor(o: ApiOptions) {
    this.#url = o.url.replace(/\/$/, '')
    this.#issuer = o.issuer
    this.#limit = o.concurrency ?? 8
    this.#attempts = o.attempts ?? 6
    this.#onRequest = o.onRequest ?? (() => undefined)
  }

  token(caller: Caller): Promise<string> {
    const key = JSON.stringify(caller)
    let t = this.#tokens.get(key)
    if (!t) {
      t = this.#issuer.mint(caller, 6 * 3600)
      this.#tokens.set(key, t)
    }
    return t
  }

  async #slot(): Promise<void> {
    if (this.#inFlight < this.#limit) {
      this.#inFlight += 1
      return
    }
    await new Promise<void>((resolve) => this.#waiting.push(resolve))
  }

  #release(): void {
    const next = this.#waiting.shift()
    if (next) next()
    else this.#inFlight -= 1
  }

  /**
   * Sends a request; answers whatever the server answered once retries are spent. A body given as
   * a function is made when the request leaves (a class's schedule counts from that moment).
   */
  async send(method: 'GET' | 'POST', path: string, caller: Caller, body?: Body): Promise<ApiAnswer> {
    const headers: Record<string, string> = { authorization: `Bearer ${await this.token(caller)}` }
    if (body !== undefined) headers['content-type'] = 'application/json'
    // The archive lookup is a read and refuses the header; every other POST is a command.
    if (method === 'POST' && path !== '/v1/archive/lookup') headers['idempotency-key'] = randomUUID()
    await this.#slot()
    const made = typeof body === 'function' ? body() : body
    const payload = made === undefined ? undefined : JSON.stringify(made)
    try {
      for (let attempt = 1; ; attempt++) {
        try {
          const res = await fetch(`${this.#url}${path}`, { method, headers, body: payload })
          const text = await res.text()
          if (retryable.has(res.status) && attempt < this.#attempts) {
            await pause(attempt, res.headers.get('retry-after'))
            continue
          }
          this.requests += 1
          this.#onRequest()
          return { status: res.status, body: text === '' ? undefined : JSON.parse(text) }
        } catch (error) {
          if (attempt >= this.#attempts) throw error
          await pause(attempt, null)
        }
      }
    } finally {
      this.#release()
    }
  }

  /** Sends a request that must succeed (2xx); throws with the server's problem otherwise. */
  async ok(method: 'GET' | 'POST', path: string, caller: Caller, body?: Body): Promise<ApiAnswer['body']> {
    const res = await this.send(method, path, caller, body)
    if (res.status < 200 || res.status > 299)
      throw new ApiError(method, path, res.status, JSON.stringify(res.body ?? ''))
    return res.body
  }

  post(path: string, caller: Caller, body: Body) {
    return this.ok('POST', path, caller, body)
  }
}

function pause(attempt: number, retryAfter: string | null): Promise<void> {
  const seconds = Number(retryAfter)
  const ms = Number.isFinite(seconds) && seconds > 0 ? seconds * 1000 : Math.min(5000, 100 * 2 ** attempt)
  return new Promise((resolve) => setTimeout(resolve, ms))
}
