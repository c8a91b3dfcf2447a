// Where wrapped data keys live. Only wrapped keys ever reach a store: a store's contents (and
// its backups) are useless without the master key.

import type { WrappedKey } from './key-wrap.ts'

export interface StoredKey extends WrappedKey {
  pseudonym: string
}

export interface ListKeysOptions {
  /** Leave out keys wrapped under this master key id (the current one, during a rewrap). */
  exceptMasterKid?: string
}

export interface KeyStore {
  /** The worker's wrapped data key, or undefined if it never had one or was shredded. */
  get(pseudonym: string): Promise<WrappedKey | undefined>
  /**
   * Stores the key unless the worker already has one, and returns whichever key is stored. Two
   * writers racing to create a worker's first key both get the same one back. Answers undefined,
   * storing nothing, when the worker was shredded.
   */
  put(pseudonym: string, key: WrappedKey): Promise<WrappedKey | undefined>
  /**
   * Replaces the stored key with `next` only if it is still exactly `expected` (compare and set),
   * so a rewrap never brings back a key shredded meanwhile. Returns whether it replaced.
   */
  replace(pseudonym: string, expected: WrappedKey, next: WrappedKey): Promise<boolean>
  /**
   * The shred: records that the worker was shredded (so no new key is ever made for it) and
   * destroys its key. Returns whether there was a key.
   */
  delete(pseudonym: string): Promise<boolean>
  /** Whether the worker was shredded (not merely without a key yet). */
  isShredded(pseudonym: string): Promise<boolean>
  /** Every stored key of a worker not shredded, in pseudonym order, for rewrapping under a new master key. */
  list(options?: ListKeysOptions): AsyncIterable<StoredKey>
}

export function sameWrappedKey(a: WrappedKey, b: WrappedKey): boolean {
  return a.masterKid === b.masterKid && Buffer.from(a.wrapped).equals(Buffer.from(b.wrapped))
}

function copy(key: WrappedKey): WrappedKey {
  return { masterKid: key.masterKid, wrapped: new Uint8Array(key.wrapped) }
}

/** An in-process store for unit tests and single-process tools; nothing survives a restart. */
export class MemoryKeyStore implements KeyStore {
  readonly #keys = new Map<string, WrappedKey>()
  readonly #shredded = new Set<string>()

  async get(pseudonym: string): Promise<WrappedKey | undefined> {
    const key = this.#keys.get(pseudonym)
    return key === undefined ? undefined : copy(key)
  }

  async put(pseudonym: string, key: WrappedKey): Promise<WrappedKey | undefined> {
    if (this.#shredded.has(pseudonym)) return undefined
    const existing = this.#keys.get(pseudonym)
    if (existing !== undefined) return copy(existing)
    this.#keys.set(pseudonym, copy(key))
    return copy(key)
  }

  async replace(pseudonym: string, expected: WrappedKey, next: WrappedKey): Promise<boolean> {
    const existing = this.#keys.get(pseudonym)
    if (existing === undefined || !sameWrappedKey(existing, expected)) return false
    existing.wrapped.fill(0)
    this.#keys.set(pseudonym, copy(next))
    return true
  }

  async delete(pseudonym: string): Promise<boolean> {
    this.#shredded.add(pseudonym)
    const existing = this.#keys.get(pseudonym)
    if (existing === undefined) return false
    existing.wrapped.fill(0)
    return this.#keys.delete(pseudonym)
  }

  async isShredded(pseudonym: string): Promise<boolean> {
    return this.#shredded.has(pseudonym)
  }

  async *list(options: ListKeysOptions = {}): AsyncIterable<StoredKey> {
    const pseudonyms = [...this.#keys.keys()].sort()
    for (const pseudonym of pseudonyms) {
      const key = this.#keys.get(pseudonym)
      if (key === undefined || key.masterKid === options.exceptMasterKid) continue
      yield { pseudonym, ...copy(key) }
    }
  }

  /** How many keys are stored (for tests). */
  get size(): number {
    return this.#keys.size
  }
}
