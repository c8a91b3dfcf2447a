import { decodeRecorded, type Envelope } from '@trec/contracts'
import type { EventStore } from '@trec/eventstore'

// State folded from a stream this service reads (a class, an institution, a device), kept
// between requests and checked against the stream's revision on every use: one small query
// per request instead of re-reading and re-decoding the stream, and never a stale answer,
// because any new event moves the revision. Least recently used entries go first.

export interface StreamView<V> {
  view: V
  /** The stream revision the view was folded up to (-1: no stream). */
  revision: number
}

export class StreamViews<V> {
  readonly #store: EventStore
  readonly #category: string
  readonly #fold: (events: Envelope[]) => V
  readonly #max: number
  readonly #entries = new Map<string, StreamView<V>>()

  constructor(store: EventStore, category: string, fold: (events: Envelope[]) => V, maxEntries: number) {
    this.#store = store
    this.#category = category
    this.#fold = fold
    this.#max = maxEntries
  }

  async get(id: string): Promise<StreamView<V>> {
    const stream = `${this.#category}-${id}`
    const cached = this.#entries.get(id)
    if (cached && cached.revision === (await this.#store.streamRevision(stream))) {
      this.#entries.delete(id)
      this.#entries.set(id, cached)
      return cached
    }
    const recorded = await this.#store.readStream(stream)
    const entry = { view: this.#fold(recorded.map((r) => decodeRecorded(r))), revision: recorded.length - 1 }
    this.#remember(id, entry)
    return entry
  }

  #remember(id: string, entry: StreamView<V>): void {
    if (this.#max === 0) return
    this.#entries.delete(id)
    this.#entries.set(id, entry)
    while (this.#entries.size > this.#max) this.#entries.delete(this.#entries.keys().next().value!)
  }
}
