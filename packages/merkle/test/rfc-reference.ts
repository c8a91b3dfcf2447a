// A deliberately naive transcription of the RFC 9162 definitions, for tests only: MTH by its
// recursive definition (§2.1.1), PATH (§2.1.3.1) and PROOF/SUBPROOF (§2.1.4.1) as lists of the
// leaf ranges whose MTH each proof element is. Nothing here shares code with src/.

import { emptyRoot, leafHash, nodeHash } from '../src/hash.ts'

export type Range = readonly [start: number, end: number]

/** k: the largest power of two smaller than n (n > 1). */
function splitPoint(n: number): number {
  let k = 1
  while (k * 2 < n) k *= 2
  return k
}

/** MTH over leaf hashes [start, end), straight from the recursive definition, memoised. */
export class ReferenceTree {
  readonly leafHashes: Uint8Array[]
  readonly #memo = new Map<string, Uint8Array>()

  constructor(leaves: readonly Uint8Array[]) {
    this.leafHashes = leaves.map((leaf) => leafHash(leaf))
  }

  mth(start: number, end: number): Uint8Array {
    if (end === start) return emptyRoot()
    if (end - start === 1) return this.leafHashes[start]!
    const key = `${start}:${end}`
    let hash = this.#memo.get(key)
    if (hash === undefined) {
      const k = splitPoint(end - start)
      hash = nodeHash(this.mth(start, start + k), this.mth(start + k, end))
      this.#memo.set(key, hash)
    }
    return hash
  }

  hashes(ranges: readonly Range[]): Uint8Array[] {
    return ranges.map(([start, end]) => this.mth(start, end))
  }
}

/** PATH(m, D[start:end]) as ranges, leaf-side first. */
export function pathRanges(m: number, start: number, end: number): Range[] {
  const n = end - start
  if (n <= 1) return []
  const k = splitPoint(n)
  return m < k
    ? [...pathRanges(m, start, start + k), [start + k, end]]
    : [...pathRanges(m - k, start + k, end), [start, start + k]]
}

/** PROOF(m, D[0:n]) = SUBPROOF(m, D_n, true) as ranges. */
export function consistencyRanges(m: number, n: number): Range[] {
  const sub = (m: number, start: number, end: number, whole: boolean): Range[] => {
    const n = end - start
    if (m === n) return whole ? [] : [[start, end]]
    const k = splitPoint(n)
    return m <= k
      ? [...sub(m, start, start + k, whole), [start + k, end]]
      : [...sub(m - k, start + k, end, false), [start, start + k]]
  }
  return sub(m, 0, n, true)
}

/**
 * The root of [0, n) as a formula over named pieces (each piece a range whose hash is given), by
 * the recursive definition. Two claims whose formulas are equal are indistinguishable to any
 * verifier: the same hashes prove both.
 */
export function formula(n: number, pieces: ReadonlyMap<string, string>): string {
  const build = (start: number, end: number): string => {
    const named = pieces.get(`${start}:${end}`)
    if (named !== undefined) return named
    if (end - start <= 1) return `?${start}`
    const k = splitPoint(end - start)
    return `H(${build(start, start + k)},${build(start + k, end)})`
  }
  return build(0, n)
}

const isPowerOfTwo = (n: number) => n > 0 && Number.isInteger(Math.log2(n)) && 2 ** Math.log2(n) === n

/** Formula of the root an inclusion claim (index, size) with a proof of `length` hashes asserts. */
export function inclusionFormula(index: number, size: number, length: number): string | undefined {
  if (!(index >= 0 && index < size)) return undefined
  const ranges = pathRanges(index, 0, size)
  if (ranges.length !== length) return undefined
  const pieces = new Map<string, string>([[`${index}:${index + 1}`, 'leaf']])
  for (const [i, [start, end]] of ranges.entries()) pieces.set(`${start}:${end}`, `p${i}`)
  return formula(size, pieces)
}

/**
 * Formulas of root1 and root2 a consistency claim (size1, size2) with a proof of `length` hashes
 * asserts; the given root1 is the symbol r1 (the RFC prepends it when size1 is a power of two).
 */
export function consistencyFormulas(
  size1: number,
  size2: number,
  length: number,
): { root1: string; root2: string } | undefined {
  if (!(size1 > 0 && size1 < size2)) return undefined
  const ranges = consistencyRanges(size1, size2)
  if (ranges.length !== length) return undefined
  const pieces = new Map<string, string>()
  if (isPowerOfTwo(size1)) pieces.set(`0:${size1}`, 'r1')
  for (const [i, [start, end]] of ranges.entries()) pieces.set(`${start}:${end}`, `p${i}`)
  return { root1: formula(size1, pieces), root2: formula(size2, pieces) }
}
