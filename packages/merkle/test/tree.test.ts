import { isTrecError } from '@trec/core'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { emptyRoot, leafHash } from '../src/hash.ts'
import { CompactTree, consistencyProof, inclusionProof, MemoryNodeStore, rootAt } from '../src/tree.ts'
import { consistencyRanges, pathRanges, ReferenceTree } from './rfc-reference.ts'

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex')
const leaf = (i: number) => new TextEncoder().encode(`event-${i}`)

const SIZE = 3000
const reference = new ReferenceTree(Array.from({ length: SIZE }, (_, i) => leaf(i)))
const store = new MemoryNodeStore()
const tree = CompactTree.empty()
const rootsWhileAppending: string[] = [hex(tree.root())]
for (let i = 0; i < SIZE; i++) {
  await store.putNodes(tree.append(leafHash(leaf(i))))
  rootsWhileAppending.push(hex(tree.root()))
}

const ceilLog2 = (n: number) => (n <= 1 ? 0 : Math.ceil(Math.log2(n)))
const popCount = (n: number) => n.toString(2).replaceAll('0', '').length

async function reads<T>(work: () => Promise<T>): Promise<{ value: T; reads: number }> {
  const before = store.nodeReads
  const value = await work()
  return { value, reads: store.nodeReads - before }
}

describe('the incremental tree', () => {
  it('gives MTH of the leaves so far after every append (RFC 9162 §2.1.1)', () => {
    for (const size of [0, 1, 2, 3, 5, 8, 13, 255, 256, 257, 1024, 2047, SIZE]) {
      expect(rootsWhileAppending[size], `size ${size}`).toBe(hex(reference.mth(0, size)))
    }
  })

  it('keeps one frontier node per set bit of the size, largest first', () => {
    expect(tree.frontier.map((node) => node.level)).toEqual([11, 9, 8, 7, 5, 4, 3])
    expect(tree.frontier).toHaveLength(popCount(SIZE))
  })

  it('reports the leaf and one new parent per trailing 1-bit of the old size', () => {
    const t = CompactTree.empty()
    const counts = Array.from({ length: 16 }, (_, i) => t.append(leafHash(leaf(i))).length)
    expect(counts).toEqual([1, 2, 1, 3, 1, 2, 1, 4, 1, 2, 1, 3, 1, 2, 1, 5])
  })

  it('stores exactly the perfect subtrees, with their reference hashes', async () => {
    expect(store.size).toBe(2 * SIZE - popCount(SIZE))
    const [node] = await store.getNodes([{ level: 3, index: 5 }])
    expect(hex(node!)).toBe(hex(reference.mth(40, 48)))
  })

  it('reloads its frontier from the store and carries on as if it had never stopped', async () => {
    const size = 1234
    const loaded = await CompactTree.load(store, size)
    expect(hex(loaded.root())).toBe(rootsWhileAppending[size])
    loaded.append(leafHash(leaf(size)))
    expect(hex(loaded.root())).toBe(rootsWhileAppending[size + 1])
  })

  it('refuses a leaf hash that is not 32 bytes', () => {
    expect(() => CompactTree.empty().append(new Uint8Array(31))).toThrowError(/32 bytes/)
  })
})

describe('proofs from the node store', () => {
  it('the empty tree has the hash of the empty string as its root, read from nothing', async () => {
    const { value, reads: count } = await reads(() => rootAt(store, 0))
    expect(hex(value)).toBe(hex(emptyRoot()))
    expect(count).toBe(0)
  })

  it('root(m) costs one read per set bit of m', async () => {
    const { value, reads: count } = await reads(() => rootAt(store, 2999))
    expect(hex(value)).toBe(hex(reference.mth(0, 2999)))
    expect(count).toBe(popCount(2999))
  })

  it('proofs for any sizes up to n match the RFC definitions and read O(log n) nodes', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc
          .integer({ min: 1, max: SIZE })
          .chain((size2) =>
            fc.tuple(fc.integer({ min: 1, max: size2 }), fc.constant(size2), fc.nat({ max: size2 - 1 })),
          ),
        async ([size1, size2, index]) => {
          const budget = 2 * ceilLog2(size2) + 2
          const root = await reads(() => rootAt(store, size2))
          expect(hex(root.value)).toBe(hex(reference.mth(0, size2)))

          const inclusion = await reads(() => inclusionProof(store, index, size2))
          expect(inclusion.value.map(hex)).toEqual(reference.hashes(pathRanges(index, 0, size2)).map(hex))
          expect(inclusion.reads).toBeLessThanOrEqual(budget)

          const consistency = await reads(() => consistencyProof(store, size1, size2))
          expect(consistency.value.map(hex)).toEqual(
            reference.hashes(consistencyRanges(size1, size2)).map(hex),
          )
          expect(consistency.reads).toBeLessThanOrEqual(budget)
        },
      ),
      { numRuns: 300 },
    )
  })

  it('the RFC 9162 §2.1.5 example shapes: PROOF(3, D7) has 4 hashes, PROOF(4, D7) 1, PROOF(6, D7) 3', async () => {
    expect(await consistencyProof(store, 3, 7)).toHaveLength(4)
    expect(await consistencyProof(store, 4, 7)).toHaveLength(1)
    expect(await consistencyProof(store, 6, 7)).toHaveLength(3)
    expect(await consistencyProof(store, 7, 7)).toHaveLength(0)
  })

  it('refuses impossible requests as validation errors', async () => {
    const refused = async (work: Promise<unknown>) => {
      const error = await work.catch((e: unknown) => e)
      expect(isTrecError(error, 'TREC_VALIDATION'), String(error)).toBe(true)
    }
    await refused(inclusionProof(store, 5, 5))
    await refused(inclusionProof(store, -1, 5))
    await refused(inclusionProof(store, 0.5, 5))
    await refused(consistencyProof(store, 0, 5))
    await refused(consistencyProof(store, 6, 5))
    await refused(rootAt(store, Number.MAX_SAFE_INTEGER + 1))
  })

  it('a proof beyond what the store holds fails naming the missing node', async () => {
    const error = await inclusionProof(store, 0, SIZE + 1).catch((e: unknown) => e)
    expect(isTrecError(error, 'TREC_MERKLE_NODE_MISSING')).toBe(true)
    expect((error as { details: unknown }).details).toEqual({ level: 0, index: SIZE })
  })
})
