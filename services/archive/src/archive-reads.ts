import type { Query } from '@trec/eventstore'
import type { WorkerArchive } from '@trec/readmodels'

// Lookups arrive concurrently, each wanting one row by primary key. While one read is in flight,
// the lookups that arrive queue and go together in the next (`worker = any($1)`): one round trip
// for many readers under load, none added when idle. The same pattern as the access log's group
// commit; together they keep a lookup to about one shared read and one shared append.

interface Waiting {
  worker: string
  resolve: (doc: WorkerArchive | undefined) => void
  reject: (error: unknown) => void
}

export class ArchiveReads {
  readonly #query: Query
  readonly #table: () => string
  readonly #maxBatch: number
  #pending: Waiting[] = []
  #reading = false

  constructor(query: Query, table: () => string, options: { maxBatch?: number } = {}) {
    this.#query = query
    this.#table = table
    this.#maxBatch = options.maxBatch ?? 256
  }

  /** The stored archive of `worker`, or undefined when the read model has none. */
  read(worker: string): Promise<WorkerArchive | undefined> {
    return new Promise((resolve, reject) => {
      this.#pending.push({ worker, resolve, reject })
      if (!this.#reading) void this.#drain()
    })
  }

  async #drain(): Promise<void> {
    this.#reading = true
    try {
      while (this.#pending.length > 0) {
        const batch = this.#pending.splice(0, this.#maxBatch)
        try {
          const workers = [...new Set(batch.map((w) => w.worker))]
          const rows =
            workers.length === 1
              ? await this.#query<{ worker: string; doc: WorkerArchive }>(
                  `select worker, doc from ${this.#table()} where worker = $1`,
                  workers,
                )
              : await this.#query<{ worker: string; doc: WorkerArchive }>(
                  `select worker, doc from ${this.#table()} where worker = any($1::text[])`,
                  [workers],
                )
          const docs = new Map(rows.map((r) => [r.worker, r.doc]))
          for (const w of batch) w.resolve(docs.get(w.worker))
        } catch (error) {
          for (const w of batch) w.reject(error)
        }
      }
    } finally {
      this.#reading = false
    }
  }
}
