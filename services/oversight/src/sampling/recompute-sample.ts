import { createHash } from 'node:crypto'

// 双随机 sampling that anyone can re-derive (docs/domain.md §4: an auditor must be able to re-derive the
// sample from its seed). Algorithm `sha256-ctr-fisher-yates-v1`, in full:
//
// 1. The population is its ids sorted by UTF-16 code units, without repeats. Its digest is
//    SHA-256 of the ids joined by "\n" (UTF-8, no trailing newline), in lowercase hex.
// 2. The seed is 32 bytes. The random stream is SHA-256(seed ‖ uint64be(0)) ‖ SHA-256(seed ‖
//    uint64be(1)) ‖ …, read as successive unsigned 32-bit big-endian integers.
// 3. A uniform integer below n (n ≥ 1) is the next stream integer x with x < 2^32 − (2^32 mod n),
//    skipping larger ones (rejection, so there is no modulo bias), taken mod n.
// 4. Targets: a partial Fisher–Yates shuffle of the sorted population. For i = 0 … k−1 with
//    k = min(size, N): j = i + uniform(N − i), swap items i and j. The sample is items 0 … k−1,
//    in that order (the draw order).
// 5. Inspectors, when a pool is given: for each target in draw order, the same partial shuffle,
//    continuing the same stream, of a fresh copy of the sorted pool, taking min(perTarget, pool)
//    inspectors.

export const samplingAlgorithm = 'sha256-ctr-fisher-yates-v1' as const

export class Sha256Stream {
  readonly #seed: Buffer
  #counter = 0n
  #block = Buffer.alloc(0)
  #offset = 0

  constructor(seedHex: string) {
    if (!/^[0-9a-f]{64}$/.test(seedHex)) throw new Error('the seed must be 32 bytes in lowercase hex')
    this.#seed = Buffer.from(seedHex, 'hex')
  }

  nextUint32(): number {
    if (this.#offset + 4 > this.#block.length) {
      const counter = Buffer.alloc(8)
      counter.writeBigUInt64BE(this.#counter++)
      this.#block = createHash('sha256').update(this.#seed).update(counter).digest()
      this.#offset = 0
    }
    const x = this.#block.readUInt32BE(this.#offset)
    this.#offset += 4
    return x
  }

  /** A uniform integer in [0, n). */
  below(n: number): number {
    if (!Number.isSafeInteger(n) || n < 1 || n > 2 ** 32) throw new Error(`cannot draw below ${n}`)
    const limit = 2 ** 32 - (2 ** 32 % n)
    for (;;) {
      const x = this.nextUint32()
      if (x < limit) return x % n
    }
  }
}

/** Sorted by UTF-16 code units (JavaScript's default order), without repeats. */
export function canonicalPopulation(ids: Iterable<string>): string[] {
  return [...new Set(ids)].sort()
}

export function populationDigest(sortedIds: readonly string[]): string {
  return createHash('sha256').update(sortedIds.join('\n'), 'utf8').digest('hex')
}

function partialShuffle(stream: Sha256Stream, items: readonly string[], k: number): string[] {
  const a = [...items]
  const take = Math.min(k, a.length)
  for (let i = 0; i < take; i++) {
    const j = i + stream.below(a.length - i)
    const t = a[i]!
    a[i] = a[j]!
    a[j] = t
  }
  return a.slice(0, take)
}

export interface Sample {
  populationIds: string[]
  populationDigest: string
  selected: string[]
  assignments?: { target: string; inspectors: string[] }[]
}

/**
 * Re-derives a sampling run's selection from its seed and population (and its inspectors from
 * the pool): the same inputs always give the same sample, in the same order.
 */
export function recomputeSample(
  seed: string,
  population: Iterable<string>,
  size: number,
  inspectors?: { pool: Iterable<string>; perTarget: number },
): Sample {
  const populationIds = canonicalPopulation(population)
  const stream = new Sha256Stream(seed)
  const selected = partialShuffle(stream, populationIds, size)
  const out: Sample = { populationIds, populationDigest: populationDigest(populationIds), selected }
  if (inspectors) out.assignments = drawInspectors(stream, selected, inspectors)
  return out
}

/** Step 5: inspectors for each target in draw order, continuing the stream the targets were drawn from. */
export function drawInspectors(
  stream: Sha256Stream,
  selected: readonly string[],
  inspectors: { pool: Iterable<string>; perTarget: number },
) {
  const pool = canonicalPopulation(inspectors.pool)
  return selected.map((target) => ({
    target,
    inspectors: partialShuffle(stream, pool, inspectors.perTarget),
  }))
}
