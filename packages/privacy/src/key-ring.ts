// The key ring: per-worker data keys, created on first use, wrapped under the master key in a
// KeyStore, unwrapped into a bounded in-memory cache. Deleting a worker's key (the shred) makes
// every value sealed under it unreadable wherever copies went (event store, Kafka, exports),
// while the events themselves, and the hash chain over them, stay intact
// (docs/architecture.md, "Identity and personal data").

import type { KeyObject } from 'node:crypto'
import { isTrecError, TrecError } from '@trec/core'
import { KeyCache } from './key-cache.ts'
import type { KeyStore } from './key-store.ts'
import {
  generateDataKey,
  type MasterKey,
  type PreparedMasterKey,
  prepareMasterKey,
  unwrapDataKey,
  type WrappedKey,
  wrapDataKey,
} from './key-wrap.ts'
import { isPseudonym } from './pseudonym.ts'
import { openWithKey, parseSealedValue, type SealedValue, sealWithKey } from './sealed.ts'

export interface KeyRingOptions {
  store: KeyStore
  /** Wraps new keys; keys already wrapped under it open too. */
  masterKey: MasterKey
  /** Older master keys still needed to open keys not yet rewrapped (`rewrapAll`). */
  previousMasterKeys?: MasterKey[]
  /** Unwrapped data keys kept in memory; default 10,000. 0 turns the cache off. */
  maxCachedKeys?: number
  /**
   * How long a cached key may be used before the store is asked again; default 5 minutes. This
   * bounds how long a shred done by another process goes unnoticed here (`evict` ends it at once).
   */
  cacheTtlMs?: number
  /** Clock for the cache, for tests. */
  now?: () => number
}

export interface FieldOptions {
  /** Prefix for the field paths bound into each sealed value, e.g. `payee` gives `payee.bankAccount`. */
  pathPrefix?: string
}

/** `T` with the named fields sealed (a string becomes a SealedValue; null and undefined stay). */
export type SealedFields<T, K extends keyof T> = Omit<T, K> & {
  [P in K]: SealedValue | Exclude<T[P], string>
}

/** `T` with the named fields opened; a field of a shredded worker reads `null`. */
export type OpenedFields<T, K extends keyof T> = Omit<T, K> & {
  [P in K]: string | null | Exclude<T[P], SealedValue>
}

export interface OpenFieldsResult<T, K extends keyof T> {
  value: OpenedFields<T, K>
  /** True when the worker's key is gone, so the sealed fields read `null`. */
  shredded: boolean
  /** The fields that held a sealed value and now read `null` because of the shred. */
  shreddedFields: K[]
}

export interface RewrapReport {
  /** Keys now wrapped under the current master key. */
  rewrapped: number
  /** Keys shredded or changed by someone else between listing and rewrapping (nothing to do). */
  skipped: number
  /** Keys that would not unwrap; they stay as they were. `reason` is the `details.reason` of the error. */
  failed: Array<{ pseudonym: string; masterKid: string; reason: string }>
}

export const defaultMaxCachedKeys = 10_000
export const defaultCacheTtlMs = 5 * 60_000

export class KeyRing {
  readonly #store: KeyStore
  readonly #current: PreparedMasterKey
  readonly #masters: Map<string, PreparedMasterKey>
  readonly #cache: KeyCache
  /** One load per worker at a time, so concurrent first seals share one new key. */
  readonly #loading = new Map<string, Promise<KeyObject | undefined>>()
  /** Bumped by every shred, so a load that raced a shred does not cache the shredded key. */
  #shreds = 0

  constructor(options: KeyRingOptions) {
    this.#store = options.store
    this.#current = prepareMasterKey(options.masterKey)
    this.#masters = new Map([[this.#current.kid, this.#current]])
    for (const previous of options.previousMasterKeys ?? []) {
      const prepared = prepareMasterKey(previous)
      if (!this.#masters.has(prepared.kid)) this.#masters.set(prepared.kid, prepared)
    }
    this.#cache = new KeyCache(
      options.maxCachedKeys ?? defaultMaxCachedKeys,
      options.cacheTtlMs ?? defaultCacheTtlMs,
      options.now,
    )
  }

  /** The id of the master key new data keys are wrapped under. */
  get masterKid(): string {
    return this.#current.kid
  }

  /**
   * Seals one field's plaintext for a worker, creating the worker's data key on first use.
   * Throws `TREC_KEY_SHREDDED` for a shredded worker.
   */
  async seal(pseudonym: string, fieldPath: string, plaintext: string): Promise<SealedValue> {
    checkPseudonym(pseudonym)
    if (typeof plaintext !== 'string') throw new TypeError('Only strings can be sealed.')
    const key = await this.#key(pseudonym, true)
    // No new key is ever made for a shredded worker: its older values would then fail as if
    // tampered with, and personal data would again be kept for someone whose data was erased.
    if (key === undefined) throw shreddedError(pseudonym)
    return sealWithKey(key, pseudonym, fieldPath, plaintext)
  }

  /**
   * Opens a sealed value read from `fieldPath`. Throws `TREC_KEY_SHREDDED` when the worker's key
   * is gone, and `TREC_DECRYPTION_FAILED` when the value is malformed, was tampered with or moved,
   * or belongs to another worker than `expectedPseudonym` (when given; pass it whenever the
   * reader knows whose record it reads, since a whole sealed value copied into another worker's
   * event still opens under its own worker's key).
   */
  async open(sealed: unknown, fieldPath: string, expectedPseudonym?: string): Promise<string> {
    const value = parseSealedValue(sealed)
    if (expectedPseudonym !== undefined && value.kid !== expectedPseudonym) {
      throw new TrecError('TREC_DECRYPTION_FAILED', 'A sealed value belongs to another worker.', {
        details: { reason: 'wrong_worker', pseudonym: expectedPseudonym, fieldPath },
      })
    }
    const key = await this.#key(value.kid, false)
    if (key === undefined) throw shreddedError(value.kid)
    return openWithKey(key, value, fieldPath)
  }

  /**
   * Deletes the worker's data key for good and records the shred, so nothing can be sealed for the
   * worker afterwards. Returns whether there was a key (a worker can be shredded before it has one).
   */
  async shred(pseudonym: string): Promise<boolean> {
    checkPseudonym(pseudonym)
    this.#shreds++
    this.#cache.delete(pseudonym)
    try {
      return await this.#store.delete(pseudonym)
    } finally {
      this.#shreds++
      this.#cache.delete(pseudonym)
    }
  }

  /** Whether the worker was shredded. Asks the store, not the cache (and drops a cached key if so). */
  async isShredded(pseudonym: string): Promise<boolean> {
    checkPseudonym(pseudonym)
    const shredded = await this.#store.isShredded(pseudonym)
    if (shredded) this.evict(pseudonym)
    return shredded
  }

  /** Drops a worker's key from this process's cache, e.g. on hearing of a shred done elsewhere. */
  evict(pseudonym?: string): void {
    this.#shreds++
    if (pseudonym === undefined) this.#cache.clear()
    else this.#cache.delete(pseudonym)
  }

  /**
   * Seals the named string fields of `obj` (null and undefined stay as they are) and returns a
   * copy. Each field's path, bound into its sealed value, is the field name (with `pathPrefix.`).
   */
  async sealFields<T extends Record<string, unknown>, K extends keyof T & string>(
    pseudonym: string,
    obj: T,
    fields: readonly K[],
    options: FieldOptions = {},
  ): Promise<SealedFields<T, K>> {
    const out: Record<string, unknown> = { ...obj }
    for (const field of fields) {
      const plaintext = obj[field]
      if (plaintext === undefined || plaintext === null) continue
      if (typeof plaintext !== 'string')
        throw new TypeError(`Field ${field} is not a string and cannot be sealed.`)
      out[field] = await this.seal(pseudonym, fieldPath(field, options), plaintext)
    }
    return out as SealedFields<T, K>
  }

  /**
   * Opens the named fields sealed by `sealFields` for this worker. When the worker was shredded,
   * each sealed field reads `null` and `shredded` is true, so projections can still run over
   * shredded workers. Any other failure (tampering, another worker's value) throws.
   */
  async openFields<T extends Record<string, unknown>, K extends keyof T & string>(
    pseudonym: string,
    obj: T,
    fields: readonly K[],
    options: FieldOptions = {},
  ): Promise<OpenFieldsResult<T, K>> {
    checkPseudonym(pseudonym)
    const out: Record<string, unknown> = { ...obj }
    const shreddedFields: K[] = []
    for (const field of fields) {
      const sealed = obj[field]
      if (sealed === undefined || sealed === null) continue
      try {
        out[field] = await this.open(sealed, fieldPath(field, options), pseudonym)
      } catch (error) {
        if (!isTrecError(error, 'TREC_KEY_SHREDDED')) throw error
        out[field] = null
        shreddedFields.push(field)
      }
    }
    return { value: out as OpenedFields<T, K>, shredded: shreddedFields.length > 0, shreddedFields }
  }

  /**
   * Rewraps every key not under the current master key with it (unwrapping with the previous
   * master keys given to this ring). Safe to run again after a failure or while the service runs:
   * each key is replaced only if unchanged since it was listed, so a shred is never undone. Once
   * it reports no failures, the previous master keys are no longer needed.
   */
  async rewrapAll(): Promise<RewrapReport> {
    const report: RewrapReport = { rewrapped: 0, skipped: 0, failed: [] }
    for await (const stored of this.#store.list({ exceptMasterKid: this.#current.kid })) {
      let next: WrappedKey
      try {
        const key = unwrapDataKey(this.#masters, stored.pseudonym, stored)
        const raw = key.export()
        next = wrapDataKey(this.#current, stored.pseudonym, raw)
        raw.fill(0)
      } catch (error) {
        const reason = isTrecError(error) ? String(error.details.reason ?? error.code) : 'unexpected'
        report.failed.push({ pseudonym: stored.pseudonym, masterKid: stored.masterKid, reason })
        continue
      }
      if (await this.#store.replace(stored.pseudonym, stored, next)) report.rewrapped++
      else report.skipped++
    }
    return report
  }

  async #key(pseudonym: string, create: boolean): Promise<KeyObject | undefined> {
    const cached = this.#cache.get(pseudonym)
    if (cached !== undefined) return cached
    const pending = this.#loading.get(pseudonym)
    if (pending !== undefined) {
      const key = await pending
      if (key !== undefined || !create) return key
    }
    const load = this.#load(pseudonym, create)
    this.#loading.set(pseudonym, load)
    try {
      return await load
    } finally {
      if (this.#loading.get(pseudonym) === load) this.#loading.delete(pseudonym)
    }
  }

  async #load(pseudonym: string, create: boolean): Promise<KeyObject | undefined> {
    const shredsBefore = this.#shreds
    let stored: WrappedKey | undefined
    if (create) {
      // Straight to `put`, which answers the key already stored if there is one: one round trip
      // to the store for a new worker rather than a read that finds nothing and then the write.
      // A new key is made and wrapped for nothing when the worker has one (not cached here).
      const fresh = generateDataKey()
      const wrapped = wrapDataKey(this.#current, pseudonym, fresh)
      fresh.fill(0)
      stored = await this.#store.put(pseudonym, wrapped)
    } else stored = await this.#store.get(pseudonym)
    if (stored === undefined) return undefined
    const key = unwrapDataKey(this.#masters, pseudonym, stored)
    if (this.#shreds === shredsBefore) this.#cache.set(pseudonym, key)
    return key
  }
}

function fieldPath(field: string, options: FieldOptions): string {
  return options.pathPrefix === undefined ? field : `${options.pathPrefix}.${field}`
}

function checkPseudonym(pseudonym: string): void {
  if (!isPseudonym(pseudonym)) throw new RangeError('A pseudonym is 32 lowercase hex characters.')
}

function shreddedError(pseudonym: string): TrecError {
  return new TrecError(
    'TREC_KEY_SHREDDED',
    "The worker's data key was shredded: this personal data can no longer be read.",
    {
      details: { pseudonym },
    },
  )
}
