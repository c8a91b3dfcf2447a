import { CompactTree, inclusionProof, leafHash, MemoryNodeStore, verifyInclusion } from '@trec/merkle'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { InclusionChecker } from '../src/verify/inclusion.ts'
import { parseEventLine } from '../src/verify/line.ts'

// The verifier's inclusion checker reuses the nodes it has already proven (one slot per level)
// so a dense export costs about two hashes per event. It must agree with the plain RFC 9162
// §2.1.3.2 verifier of @trec/merkle on every proof, valid or altered.

async function tree(size: number) {
  const store = new MemoryNodeStore()
  const t = CompactTree.empty()
  const leaves: Buffer[] = []
  for (let i = 0; i < size; i++) {
    const leaf = Buffer.from(leafHash(Buffer.from(`leaf ${i}`)))
    leaves.push(leaf)
    await store.putNodes(t.append(leaf))
  }
  return { store, root: t.root(), leaves }
}

/** A proof as it stands in an export line, parsed back by the line grammar. */
function proofText(proof: readonly Uint8Array[]): { proof: Buffer; proofLength: number } {
  const line = `{"event":{},"index":0,"proof":[${proof.map((h) => `"${Buffer.from(h).toString('base64')}"`).join(',')}]}`
  const parsed = parseEventLine(Buffer.from(line))
  if (typeof parsed === 'string') throw new Error(parsed)
  return parsed
}

describe('the memoising inclusion checker', () => {
  it('accepts the proofs of any increasing set of leaves, with far fewer hashes for dense sets', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 300 }),
        fc.double({ min: 0.05, max: 1, noNaN: true }),
        fc.integer(),
        async (size, density, seed) => {
          const { store, root, leaves } = await tree(size)
          const checker = new InclusionChecker(size, root)
          let rand = seed >>> 0
          const pick = () => {
            rand = (Math.imul(rand, 1664525) + 1013904223) >>> 0
            return rand / 2 ** 32
          }
          const chosen = leaves.map((_, i) => i).filter(() => pick() < density)
          for (const i of chosen) {
            const { proof, proofLength } = proofText(await inclusionProof(store, i, size))
            expect(checker.check(leaves[i]!, i, proof, proofLength)).toBeUndefined()
          }
          if (chosen.length === size) expect(checker.hashes).toBeLessThanOrEqual(2 * size)
        },
      ),
      { numRuns: 60 },
    )
  })

  it('rejects exactly the proofs the RFC verifier rejects: altered hashes, leaves, lengths', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 2, max: 200 }),
        fc.integer({ min: 0, max: 1_000_000 }),
        fc.constantFrom('flip-proof', 'flip-leaf', 'drop', 'extra', 'swap'),
        fc.integer({ min: 0, max: 1_000_000 }),
        async (size, at, mutation, where) => {
          const { store, root, leaves } = await tree(size)
          const target = at % size
          const checker = new InclusionChecker(size, root)
          // Prove the leaves before the target first, so the checker has nodes to reuse.
          for (let i = 0; i < target; i++) {
            const { proof, proofLength } = proofText(await inclusionProof(store, i, size))
            expect(checker.check(leaves[i]!, i, proof, proofLength)).toBeUndefined()
          }
          const proof = (await inclusionProof(store, target, size)).map((h) => Buffer.from(h))
          let leaf = leaves[target]!
          if (mutation === 'flip-proof' && proof.length > 0)
            proof[where % proof.length]![where % 32]! ^= 1 << (where % 8)
          if (mutation === 'flip-leaf') leaf = Buffer.from(leaf.map((b, i) => (i === where % 32 ? b ^ 1 : b)))
          if (mutation === 'drop' && proof.length > 0) proof.splice(where % proof.length, 1)
          if (mutation === 'extra') proof.splice(where % (proof.length + 1), 0, Buffer.alloc(32, 7))
          if (mutation === 'swap' && proof.length > 1) {
            const j = where % (proof.length - 1)
            ;[proof[j], proof[j + 1]] = [proof[j + 1]!, proof[j]!]
          }
          const plain = verifyInclusion(leaf, target, size, proof, root)
          const { proof: text, proofLength } = proofText(proof)
          const memo = checker.check(leaf, target, text, proofLength)
          expect(memo === undefined).toBe(plain.ok)
        },
      ),
      { numRuns: 150 },
    )
  })
})
