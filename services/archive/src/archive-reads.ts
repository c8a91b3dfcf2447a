import { CallGroups, firstCalls, type WaitingCall } from '@trec/core'
import type { Query } from '@trec/eventstore'
import type { WorkerArchive } from '@trec/readmodels'

// Lookups arrive concurrently, each wanting one row by primary key. While one read is in flight,
// the lookups that arrive queue and go together in the next (`worker = any($1)`): one round trip
// for many readers under load, none added when idle. The same pattern as the access log's group
// commit; together they keep a lookup to about one shared read and one shared append.

/** One primary-key read per group of concurrent lookups. */
export class ArchiveReads {
  readonly #query: Query
  readonly #table: () => string
  readonly #groups: CallGroups<string, WorkerArchive | undefined>

  constructor(query: Query, table: () => string, options: { maxBatch?: number } = {}) {
    this.#query = query
    this.#table = table
    this.#groups = new CallGroups((group) => this.#read(group), firstCalls(options.maxBatch ?? 256))
  }

  /** The stored archive of `worker`, or undefined when the read model has none. */
  read(worker: string): Promise<WorkerArchive | undefined> {
    return this.#groups.call(worker)
  }

  async #read(group: WaitingCall<string, WorkerArchive | undefined>[]): Promise<void> {
    const workers = [...new Set(group.map((w) => w.input))]
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
    for (const w of group) w.resolve(docs.get(w.input))
  }
}
