import { randomBytes } from 'node:crypto'

// The set of event ids an export has shown so far, for the evidence checks. Event ids are UUIDs
// (the store accepts nothing else), so each is kept as its 16 bytes in one flat table, outside
// the JavaScript heap: 16 bytes a slot and at most 3 slots in 4 used: 1 GiB for the 3.5×10⁷
// events of a province-year. A JavaScript Map of the id strings takes about 100 bytes an entry on
// the heap, and stops at 2²⁴ (16,777,216) entries with a RangeError, so it cannot hold such an
// export at all.
//
// Open addressing with linear probing. The slot comes from a hash seeded at random per set, so an
// export crafted to make ids collide cannot slow the verifier down to quadratic time. The all-zero
// (nil) UUID, which marks an empty slot, is kept apart.

const HEX = new Int8Array(128).fill(-1)
for (let i = 0; i < 16; i++) HEX['0123456789abcdef'.charCodeAt(i)] = i

/** Reads a lowercase UUID into 4 words of `into` from `at`; false when `id` is not 8-4-4-4-12 hex. */
export function uuidWords(id: string, into: Uint32Array, at: number): boolean {
  if (id.length !== 36) return false
  let word = 0
  let nibbles = 0
  for (let i = 0; i < 36; i++) {
    const c = id.charCodeAt(i)
    if (i === 8 || i === 13 || i === 18 || i === 23) {
      if (c !== 0x2d) return false
      continue
    }
    const v = c < 128 ? HEX[c]! : -1
    if (v < 0) return false
    word = (word << 4) | v
    if (++nibbles % 8 === 0) {
      into[at + nibbles / 8 - 1] = word >>> 0
      word = 0
    }
  }
  return true
}

/**
 * `uuidWords`, true only for an id as the store writes them: as `uuidPattern` of @trec/core,
 * version 1 to 8 and the RFC 9562 variant.
 */
export function eventIdWords(id: string, into: Uint32Array, at: number): boolean {
  if (!uuidWords(id, into, at)) return false
  const version = (into[at + 1]! >>> 12) & 0xf
  return version >= 1 && version <= 8 && into[at + 2]! >>> 30 === 2
}

/** The UUID text of the 4 words at `at`. */
export function uuidText(words: Uint32Array, at: number): string {
  const hex = [0, 1, 2, 3].map((i) => words[at + i]!.toString(16).padStart(8, '0')).join('')
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`
}

export class UuidSet {
  #slots: Uint32Array
  #mask: number
  #size = 0
  #nil = false
  readonly #seed = randomBytes(4).readUInt32LE(0)
  readonly #key = new Uint32Array(4)

  /** `expected`: how many ids it holds before it first grows. */
  constructor(expected = 3 << 10) {
    const slots = 2 ** Math.max(4, Math.ceil(Math.log2((expected * 4) / 3 + 1)))
    this.#slots = new Uint32Array(slots * 4)
    this.#mask = slots - 1
  }

  get size(): number {
    return this.#size + (this.#nil ? 1 : 0)
  }

  /** Adds a lowercase UUID; false when it was already in the set. Throws when `id` is not one. */
  add(id: string): boolean {
    // Grown first: growing moves every key through the key words.
    if ((this.#size + 1) * 4 > (this.#mask + 1) * 3) this.#grow()
    if (!uuidWords(id, this.#key, 0)) throw new Error(`not a lowercase UUID: ${id}`)
    return this.#addKey()
  }

  /** Adds the UUID held in 4 words of `words` from `at` (`uuidWords`); false when already in. */
  addWords(words: Uint32Array, at: number): boolean {
    if ((this.#size + 1) * 4 > (this.#mask + 1) * 3) this.#grow()
    const k = this.#key
    for (let i = 0; i < 4; i++) k[i] = words[at + i]!
    return this.#addKey()
  }

  #addKey(): boolean {
    const k = this.#key
    if ((k[0]! | k[1]! | k[2]! | k[3]!) === 0) {
      const added = !this.#nil
      this.#nil = true
      return added
    }
    const at = this.#find(this.#slots, this.#mask)
    if (at >= 0) return false
    this.#slots.set(k, ~at * 4)
    this.#size += 1
    return true
  }

  /** Whether the set holds `id`; false for anything that is not a lowercase UUID. */
  has(id: string): boolean {
    if (!uuidWords(id, this.#key, 0)) return false
    const k = this.#key
    if ((k[0]! | k[1]! | k[2]! | k[3]!) === 0) return this.#nil
    return this.#find(this.#slots, this.#mask) >= 0
  }

  /** The slot holding the parsed key, or ~(the empty slot where it would go). */
  #find(slots: Uint32Array, mask: number): number {
    const k = this.#key
    for (let slot = this.#hash() & mask; ; slot = (slot + 1) & mask) {
      const at = slot * 4
      const a = slots[at]!
      const b = slots[at + 1]!
      const c = slots[at + 2]!
      const d = slots[at + 3]!
      if (a === k[0] && b === k[1] && c === k[2] && d === k[3]) return slot
      if ((a | b | c | d) === 0) return ~slot
    }
  }

  /** murmur3's 32-bit finaliser over the seeded key words. */
  #hash(): number {
    const k = this.#key
    let h = this.#seed
    for (let i = 0; i < 4; i++) {
      h = Math.imul(h ^ k[i]!, 0xcc9e2d51)
      h = (h << 15) | (h >>> 17)
    }
    h ^= h >>> 16
    h = Math.imul(h, 0x85ebca6b)
    h ^= h >>> 13
    h = Math.imul(h, 0xc2b2ae35)
    return (h ^ (h >>> 16)) >>> 0
  }

  #grow(): void {
    const old = this.#slots
    const mask = this.#mask * 2 + 1
    const slots = new Uint32Array((mask + 1) * 4)
    const k = this.#key
    for (let at = 0; at < old.length; at += 4) {
      if ((old[at]! | old[at + 1]! | old[at + 2]! | old[at + 3]!) === 0) continue
      k.set(old.subarray(at, at + 4))
      slots.set(k, ~this.#find(slots, mask) * 4)
    }
    this.#slots = slots
    this.#mask = mask
  }
}
