// A bounded least-recently-used cache of unwrapped data keys, so opening a worker's fields does
// not unwrap (and read the store) every time. A Map keeps insertion order: re-inserting on each
// hit moves the entry to the end, and the first entry is the least recently used.
//
// Entries also expire after a time to live: a shred done by another process cannot evict this
// process's copy, so the TTL bounds how long such a copy can still open data.

import type { KeyObject } from 'node:crypto'

interface Entry {
  key: KeyObject
  expires: number
}

export class KeyCache {
  readonly #entries = new Map<string, Entry>()
  readonly #capacity: number
  readonly #ttlMs: number
  readonly #now: () => number

  constructor(capacity: number, ttlMs: number, now: () => number = Date.now) {
    if (!Number.isInteger(capacity) || capacity < 0)
      throw new RangeError('The key cache size must be a whole number ≥ 0.')
    if (!(ttlMs >= 0)) throw new RangeError('The key cache time to live must be ≥ 0.')
    this.#capacity = capacity
    this.#ttlMs = ttlMs
    this.#now = now
  }

  get(pseudonym: string): KeyObject | undefined {
    const entry = this.#entries.get(pseudonym)
    if (entry === undefined) return undefined
    this.#entries.delete(pseudonym)
    if (entry.expires <= this.#now()) return undefined
    this.#entries.set(pseudonym, entry)
    return entry.key
  }

  set(pseudonym: string, key: KeyObject): void {
    if (this.#capacity === 0 || this.#ttlMs === 0) return
    this.#entries.delete(pseudonym)
    this.#entries.set(pseudonym, { key, expires: this.#now() + this.#ttlMs })
    while (this.#entries.size > this.#capacity) {
      const oldest = this.#entries.keys().next().value
      if (oldest === undefined) break
      this.#entries.delete(oldest)
    }
  }

  delete(pseudonym: string): void {
    this.#entries.delete(pseudonym)
  }

  clear(): void {
    this.#entries.clear()
  }

  has(pseudonym: string): boolean {
    const entry = this.#entries.get(pseudonym)
    return entry !== undefined && entry.expires > this.#now()
  }

  get size(): number {
    return this.#entries.size
  }
}
