import { CompactTree, inclusionProof, leafHash, MemoryNodeStore, verifyInclusion } from '@trec/merkle'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { InclusionChecker } from '../src/verify/inclusion.ts'
import { decodeProofElement, PROOF_STRIDE, parseEventLine } from '../src/verify/line.ts'

// The verifier's inclusion checker reuses the nodes it has already proven (one slot per level)
// and the last node it hashed at each level, so a dense export costs about one hash per event. It must agree with the plain RFC 9162
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
          // About one per leaf: each of the tree's size − 1 nodes, and a few again on the right edge.
          if (chosen.length === size)
            expect(checker.hashes).toBeLessThanOrEqual(size + Math.ceil(Math.log2(size)))
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

describe('proof elements', () => {
  const base64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'
  const canonical = /^[A-Za-z0-9+/]{42}[AEIMQUYcgkosw048]=$/

  it('decodes every 32-byte hash as Node decodes its base64', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 32, maxLength: 32 }), fc.nat(40), (hash, before) => {
        const proof = Buffer.from(`"${Buffer.from(hash).toString('base64')}"`)
        const into = Buffer.alloc(32 + before)
        expect(decodeProofElement(proof, 0, into, before)).toBe(true)
        expect(into.subarray(before)).toEqual(Buffer.from(hash))
      }),
      { numRuns: 2000 },
    )
  })

  it('refuses exactly what is not canonical base64 of 32 bytes: other characters, set bits, no pad', () => {
    const char = fc.oneof(
      fc.constantFrom(...base64),
      fc.constantFrom('=', '-', '_', '.', ' ', '"', '\u00e9', '\u0000', '\u00ff'),
    )
    fc.assert(
      fc.property(fc.array(char, { minLength: 44, maxLength: 44 }), (chars) => {
        const element = chars.join('')
        const proof = Buffer.from(`"${element}","${'A'.repeat(43)}="`, 'latin1')
        expect(proof.length).toBe(2 * PROOF_STRIDE - 1)
        const into = Buffer.alloc(32)
        const ok = decodeProofElement(proof, 0, into, 0)
        expect(ok).toBe(canonical.test(element))
        if (ok) expect(into).toEqual(Buffer.from(element, 'base64'))
        // The second element, found by its stride.
        expect(decodeProofElement(proof, 1, into, 0)).toBe(true)
        expect(into).toEqual(Buffer.alloc(32))
      }),
      { numRuns: 3000 },
    )
  })
})
