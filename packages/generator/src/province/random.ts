import { createHash } from 'node:crypto'

// A small seeded PRNG (sfc32, Chris Doty-Humphrey's Small Fast Counting generator, public
// domain): the province is a pure function of its seed. Not for anything secret; the sampling
// runs use their own SHA-256 stream (src/sampling).

export class Random {
  #a: number
  #b: number
  #c: number
  #d: number

  constructor(seed: string) {
    const h = createHash('sha256').update(`trec-province\n${seed}`).digest()
    this.#a = h.readUInt32LE(0)
    this.#b = h.readUInt32LE(4)
    this.#c = h.readUInt32LE(8)
    this.#d = h.readUInt32LE(12)
    for (let i = 0; i < 15; i++) this.next()
  }

  /** A uniform float in [0, 1). */
  next(): number {
    const t = (((this.#a + this.#b) | 0) + this.#d) | 0
    this.#d = (this.#d + 1) | 0
    this.#a = this.#b ^ (this.#b >>> 9)
    this.#b = (this.#c + (this.#c << 3)) | 0
    this.#c = (this.#c << 21) | (this.#c >>> 11)
    this.#c = (this.#c + t) | 0
    return (t >>> 0) / 4294967296
  }

  /** An integer in [min, max]. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1))
  }

  between(min: number, max: number): number {
    return min + this.next() * (max - min)
  }

  chance(p: number): boolean {
    return this.next() < p
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new Error('pick from an empty list')
    return items[Math.floor(this.next() * items.length)]!
  }

  /** `k` distinct items, in random order. */
  sample<T>(items: readonly T[], k: number): T[] {
    const a = [...items]
    const n = Math.min(k, a.length)
    for (let i = 0; i < n; i++) {
      const j = i + Math.floor(this.next() * (a.length - i))
      ;[a[i], a[j]] = [a[j]!, a[i]!]
    }
    return a.slice(0, n)
  }

  /** A normal deviate (Box–Muller). */
  normal(mean: number, sd: number): number {
    const u = 1 - this.next()
    const v = this.next()
    return mean + sd * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v)
  }

  hex(bytes: number): string {
    let s = ''
    for (let i = 0; i < bytes; i++) s += this.int(0, 255).toString(16).padStart(2, '0')
    return s
  }

  base64url(bytes: number): string {
    const b = Buffer.alloc(bytes)
    for (let i = 0; i < bytes; i++) b[i] = this.int(0, 255)
    return b.toString('base64url')
  }
}
