// Every generated proof verifies, and a single flipped bit anywhere makes it fail. For flipped
// sizes and indexes "fail" needs care: RFC 9162 proofs do not always pin the size (the hashes of
// PATH(0, D6) are also a correct-looking PATH(0, D7) for a different tree), which is why a
// checkpoint signs size and root together. So a flipped size or index must fail exactly when the
// claim it makes has a different root formula (rfc-reference.ts), and pass when it is the same.

import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { leafHash } from '../src/hash.ts'
import { CompactTree, consistencyProof, inclusionProof, MemoryNodeStore, rootAt } from '../src/tree.ts'
import { verifyConsistency, verifyInclusion } from '../src/verify.ts'
import { consistencyFormulas, inclusionFormula } from './rfc-reference.ts'

const SIZE = 2500
const store = new MemoryNodeStore()
const tree = CompactTree.empty()
const leafHashes: Uint8Array[] = []
for (let i = 0; i < SIZE; i++) {
  const hash = leafHash(new TextEncoder().encode(`record ${i}`))
  leafHashes.push(hash)
  await store.putNodes(tree.append(hash))
}

function flipBit(bytes: Uint8Array, bit: number): Uint8Array {
  const copy = new Uint8Array(bytes)
  copy[bit >> 3]! ^= 1 << (bit & 7)
  return copy
}

/** x with bit b flipped, for b up to 52 (beyond 32 bits, so no bitwise operators). */
function flipNumberBit(x: number, b: number): number {
  const weight = 2 ** b
  return Math.floor(x / weight) % 2 === 1 ? x - weight : x + weight
}

const sizeAndIndex = fc
  .integer({ min: 1, max: SIZE })
  .chain((size) => fc.tuple(fc.constant(size), fc.nat({ max: size - 1 })))
const twoSizes = fc
  .integer({ min: 1, max: SIZE })
  .chain((size2) => fc.tuple(fc.integer({ min: 1, max: size2 }), fc.constant(size2)))
const numberBit = fc.integer({ min: 0, max: 52 })

describe('inclusion proofs (RFC 9162 §2.1.3)', () => {
  it('every generated proof verifies against root(size)', async () => {
    await fc.assert(
      fc.asyncProperty(sizeAndIndex, async ([size, index]) => {
        const proof = await inclusionProof(store, index, size)
        const result = verifyInclusion(leafHashes[index]!, index, size, proof, await rootAt(store, size))
        expect(result).toEqual({ ok: true })
      }),
      { numRuns: 300 },
    )
  })

  it('flipping any bit of the proof, the root or the leaf hash makes it fail', async () => {
    await fc.assert(
      fc.asyncProperty(sizeAndIndex, fc.nat(), fc.nat({ max: 255 }), async ([size, index], pick, bit) => {
        const proof = await inclusionProof(store, index, size)
        const root = await rootAt(store, size)
        const leaf = leafHashes[index]!
        const target = pick % (proof.length + 2)
        const result =
          target < proof.length
            ? verifyInclusion(leaf, index, size, proof.with(target, flipBit(proof[target]!, bit)), root)
            : target === proof.length
              ? verifyInclusion(leaf, index, size, proof, flipBit(root, bit))
              : verifyInclusion(flipBit(leaf, bit), index, size, proof, root)
        expect(result.ok).toBe(false)
      }),
      { numRuns: 300 },
    )
  })

  it('flipping a bit of the index or the size fails unless the claim has the same root formula', async () => {
    await fc.assert(
      fc.asyncProperty(sizeAndIndex, fc.boolean(), numberBit, async ([size, index], flipSize, b) => {
        const proof = await inclusionProof(store, index, size)
        const root = await rootAt(store, size)
        const [index2, size2] = flipSize ? [index, flipNumberBit(size, b)] : [flipNumberBit(index, b), size]
        const result = verifyInclusion(leafHashes[index]!, index2, size2, proof, root)
        const same =
          inclusionFormula(index2, size2, proof.length) === inclusionFormula(index, size, proof.length)
        expect(result.ok, `(${index}, ${size}) → (${index2}, ${size2})`).toBe(same)
        // Index flips never keep the formula: the formula names the leaf's position.
        if (!flipSize) expect(same).toBe(false)
      }),
      { numRuns: 500 },
    )
  })

  it('the known ambiguity exists: the proof of leaf 0 in 6 leaves also "proves" it in 7', async () => {
    const proof = await inclusionProof(store, 0, 6)
    expect(verifyInclusion(leafHashes[0]!, 0, 7, proof, await rootAt(store, 6)).ok).toBe(true)
  })
})

describe('consistency proofs (RFC 9162 §2.1.4)', () => {
  it('every generated proof verifies between root(size1) and root(size2)', async () => {
    await fc.assert(
      fc.asyncProperty(twoSizes, async ([size1, size2]) => {
        const proof = await consistencyProof(store, size1, size2)
        const result = verifyConsistency(
          size1,
          size2,
          proof,
          await rootAt(store, size1),
          await rootAt(store, size2),
        )
        expect(result).toEqual({ ok: true })
      }),
      { numRuns: 300 },
    )
  })

  it('flipping any bit of the proof or of either root makes it fail', async () => {
    await fc.assert(
      fc.asyncProperty(twoSizes, fc.nat(), fc.nat({ max: 255 }), async ([size1, size2], pick, bit) => {
        const proof = await consistencyProof(store, size1, size2)
        const root1 = await rootAt(store, size1)
        const root2 = await rootAt(store, size2)
        const target = pick % (proof.length + 2)
        const result =
          target < proof.length
            ? verifyConsistency(size1, size2, proof.with(target, flipBit(proof[target]!, bit)), root1, root2)
            : target === proof.length
              ? verifyConsistency(size1, size2, proof, flipBit(root1, bit), root2)
              : verifyConsistency(size1, size2, proof, root1, flipBit(root2, bit))
        expect(result.ok).toBe(false)
      }),
      { numRuns: 300 },
    )
  })

  it('flipping a bit of either size fails unless the claim has the same root formulas', async () => {
    await fc.assert(
      fc.asyncProperty(twoSizes, fc.boolean(), numberBit, async ([size1, size2], first, b) => {
        fc.pre(size1 < size2)
        const proof = await consistencyProof(store, size1, size2)
        const root1 = await rootAt(store, size1)
        const root2 = await rootAt(store, size2)
        const [flipped1, flipped2] = first
          ? [flipNumberBit(size1, b), size2]
          : [size1, flipNumberBit(size2, b)]
        const result = verifyConsistency(flipped1, flipped2, proof, root1, root2)

        // The given root1 is the symbol r1; it stands for the true root1's formula.
        const truth = consistencyFormulas(size1, size2, proof.length)!
        const claim = consistencyFormulas(flipped1, flipped2, proof.length)
        const known = (formula: string) => formula.replaceAll('r1', `(${truth.root1})`)
        const same =
          claim !== undefined &&
          known(claim.root1) === known(truth.root1) &&
          known(claim.root2) === known(truth.root2)
        expect(result.ok, `(${size1}, ${size2}) → (${flipped1}, ${flipped2})`).toBe(same)
      }),
      { numRuns: 500 },
    )
  })
})
