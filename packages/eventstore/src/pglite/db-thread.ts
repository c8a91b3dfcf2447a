import { Worker } from 'node:worker_threads'
import type { DbReply, DbRequest, DbThreadOptions } from './db-messages.ts'
import type { EmbeddedDb, EmbeddedTransaction } from './embedded-db.ts'

type Request = DbRequest extends infer R ? (R extends DbRequest ? Omit<R, 'id'> : never) : never

/**
 * The embedded database in a thread of its own (db-worker.ts, the one owner of the PGlite
 * database), behind PGlite's interface. PGlite is PostgreSQL compiled to WebAssembly and runs
 * synchronously in whichever thread calls it: in the server's thread, every SQL statement stopped
 * the HTTP handling, the commands and the read side for as long as it ran. Here the statements run
 * beside them, on another core; this thread only posts each statement and its parameters and
 * receives the rows (structured clone: dates, bigints and byte arrays come back as PGlite gives them).
 *
 * What the store relies on is unchanged: statements run one at a time in the order sent, a
 * transaction holds the database until its end, and an answer comes only after PGlite has run the
 * statement and written it through to its files. If the thread dies, every statement waiting and
 * every later one fails as the database being unavailable (SQLSTATE 57P03).
 */
export class EmbeddedDbThread implements EmbeddedDb {
  readonly waitReady: Promise<void>
  readonly #worker: Worker
  readonly #waiting = new Map<
    number,
    { resolve: (value: unknown) => void; reject: (error: unknown) => void }
  >()
  #next = 1
  #stopped: Error | undefined
  /** Requests not yet posted: those made in one turn of this thread go in one message. */
  #outbox: DbRequest[] = []

  constructor(options: DbThreadOptions) {
    this.#worker = new Worker(new URL('./db-worker.ts', import.meta.url), { workerData: options })
    this.#worker.unref()
    this.#worker.on('message', (replies: DbReply[]) => {
      for (const reply of replies) this.#answered(reply)
    })
    this.#worker.on('error', (error) => this.#stop(error))
    this.#worker.on('exit', (code) =>
      this.#stop(new Error(`the embedded database thread ended (exit code ${code})`)),
    )
    this.waitReady = this.#call({ op: 'ready' }).then(() => undefined)
  }

  async query<R>(sql: string, params?: unknown[], options?: { blob?: Blob }): Promise<{ rows: R[] }> {
    return this.#query(undefined, sql, params, options)
  }

  async exec(sql: string): Promise<unknown> {
    return this.#call({ op: 'exec', sql })
  }

  async transaction<T>(fn: (tx: EmbeddedTransaction) => Promise<T>): Promise<T> {
    const tx = (await this.#call({ op: 'begin' })) as number
    let result: T
    try {
      result = await fn({
        query: (sql, params, options) => this.#query(tx, sql, params, options),
        exec: (sql) => this.#call({ op: 'exec', sql, tx }),
      })
    } catch (error) {
      // The caller's error is the answer, even if the rollback cannot be asked for (thread gone).
      await this.#call({ op: 'end', tx, commit: false }).catch(() => undefined)
      throw error
    }
    await this.#call({ op: 'end', tx, commit: true })
    return result
  }

  async close(): Promise<void> {
    if (this.#stopped) return
    await this.#call({ op: 'close' })
    this.#stop(new Error('the embedded database is closed'))
    await this.#worker.terminate()
  }

  async #query<R>(
    tx: number | undefined,
    sql: string,
    params: unknown[] | undefined,
    options: { blob?: Blob } | undefined,
  ): Promise<{ rows: R[] }> {
    const blob = options?.blob ? new Uint8Array(await options.blob.arrayBuffer()) : undefined
    const rows = await this.#call({ op: 'query', sql, params, blob, tx })
    return { rows: rows as R[] }
  }

  #call(request: Request): Promise<unknown> {
    if (this.#stopped) return Promise.reject(unavailable(this.#stopped))
    const id = this.#next++
    // Keeps the process alive while an answer is awaited, not while the database is idle.
    if (this.#waiting.size === 0) this.#worker.ref()
    return new Promise((resolve, reject) => {
      this.#waiting.set(id, { resolve, reject })
      if (this.#outbox.push({ ...request, id } as DbRequest) === 1) queueMicrotask(() => this.#post())
    })
  }

  #post(): void {
    const requests = this.#outbox
    this.#outbox = []
    if (this.#stopped) return
    this.#worker.postMessage(requests)
  }

  #answered(reply: DbReply): void {
    const waiting = this.#waiting.get(reply.id)
    if (!waiting) return
    this.#waiting.delete(reply.id)
    if (this.#waiting.size === 0) this.#worker.unref()
    if ('error' in reply) waiting.reject(Object.assign(new Error(String(reply.error.message)), reply.error))
    else waiting.resolve(reply.value)
  }

  #stop(error: Error): void {
    if (this.#stopped) return
    this.#stopped = error
    for (const { reject } of this.#waiting.values()) reject(unavailable(error))
    this.#waiting.clear()
  }
}

function unavailable(cause: Error): Error {
  return Object.assign(new Error(cause.message, { cause }), { code: '57P03' })
}
