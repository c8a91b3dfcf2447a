import { type TreeHasher, treeHasher } from '@trec/merkle'
import { decodeProofElement, PROOF_STRIDE } from './line.ts'

// RFC 9162 §2.1.3.2 inclusion verification for many proofs against one tree head, in leaf order.
//
// The loop is the RFC's: fn = index, sn = size − 1, r = leaf hash; for each proof hash p: if fn is
// odd or fn = sn, r = HASH(0x01 ‖ p ‖ r) and, while fn is even and not 0, shift fn and sn;
// otherwise r = HASH(0x01 ‖ r ‖ p); then shift once. It holds iff sn ends at 0 and r is the root.
//
// After each step, r is the hash of one node of the tree (the node with index fn at the level
// reached). Once a proof has been checked all the way to the root, every node on its path is a
// node of the signed tree. A later proof that reaches one of those nodes with the same hash is
// proven from there on, provided the rest of its path is the very path already checked (compared
// byte for byte, so an altered proof still fails). Exports list leaves in increasing order, so the
// nodes a later proof can meet are the last checked at each level: one slot per level. That
// alone leaves about two hashes per event in a dense export; remembering the last node hashed at
// each level (`#nodeHash`) halves it, and the proof hashes are decoded straight into the node's
// input.

export type InclusionFailure =
  | 'bad-proof-element'
  | 'proof-too-long'
  | 'proof-too-short'
  | 'root-mismatch'
  | 'path-mismatch'

interface Checked {
  fn: number
  hash: Buffer
  /** The proof text after this node: the path above it. */
  rest: Buffer
}

/** The last node hashed at one level: its input (0x01 ‖ left ‖ right) and its hash. */
interface Hashed {
  input: Buffer
  hash: Buffer
}

const half = (x: number) => (x - (x % 2)) / 2

export class InclusionChecker {
  readonly size: number
  readonly root: Buffer
  readonly #checked: (Checked | undefined)[] = []
  readonly #hashed: (Hashed | undefined)[] = []
  readonly #input = Buffer.alloc(65, 0x01)
  /** The tree's hash under the profile the checkpoint names (SHA-256 or SM3). */
  readonly #hasher: TreeHasher = treeHasher()
  /** Node hashes computed so far (for the benchmark and tests). */
  hashes = 0

  constructor(size: number, root: Uint8Array) {
    this.size = size
    this.root = Buffer.from(root)
  }

  /** Checks one proof; indexes must come in increasing order. Returns undefined when it holds. */
  check(leaf: Buffer, index: number, proof: Buffer, proofLength: number): InclusionFailure | undefined {
    let fn = index
    let sn = this.size - 1
    let r = leaf
    let level = 0
    const path: { level: number; fn: number; hash: Buffer; j: number }[] = []
    for (let j = 0; j < proofLength; j++) {
      if (sn === 0) return 'proof-too-long'
      // The node's input, 0x01 ‖ left ‖ right: the proof hash goes left of r or right of it.
      const input = this.#input
      const proofLeft = fn % 2 === 1 || fn === sn
      if (!decodeProofElement(proof, j, input, proofLeft ? 1 : 33)) return 'bad-proof-element'
      input.set(r, proofLeft ? 33 : 1)
      r = this.#nodeHash(level)
      if (proofLeft)
        while (fn % 2 === 0 && fn !== 0) {
          fn = half(fn)
          sn = half(sn)
          level += 1
        }
      fn = half(fn)
      sn = half(sn)
      level += 1
      const known = this.#checked[level]
      if (known !== undefined && known.fn === fn) {
        if (!r.equals(known.hash)) return 'root-mismatch'
        const rest = proof.subarray(Math.min(proof.length, (j + 1) * PROOF_STRIDE))
        if (!rest.equals(known.rest)) return 'path-mismatch'
        this.#remember(path, proof)
        return undefined
      }
      path.push({ level, fn, hash: r, j: j + 1 })
    }
    if (sn !== 0) return 'proof-too-short'
    if (!r.equals(this.root)) return 'root-mismatch'
    this.#remember(path, proof)
    return undefined
  }

  /**
   * HASH(0x01 ‖ left ‖ right), or the hash computed last at this level when its input was the
   * same bytes. The right leaf of a pair meets the node its left neighbour's proof just computed
   * from the same two hashes, so a dense export costs about one hash per event, not two.
   */
  #nodeHash(level: number): Buffer {
    const input = this.#input
    const last = this.#hashed[level]
    if (last?.input.equals(input)) return last.hash
    this.hashes += 1
    const digest = this.#hasher.node65(input)
    if (last) {
      input.copy(last.input)
      last.hash = digest
    } else this.#hashed[level] = { input: Buffer.from(input), hash: digest }
    return digest
  }

  /**
   * Copies the paths remembered out of the proofs' bytes, which the caller is about to reuse or
   * hand over (the end of a run of lines).
   */
  keepPaths(): void {
    for (const node of this.#checked) if (node) node.rest = Buffer.from(node.rest)
  }

  #remember(path: readonly { level: number; fn: number; hash: Buffer; j: number }[], proof: Buffer): void {
    for (const node of path) {
      this.#checked[node.level] = {
        fn: node.fn,
        hash: node.hash,
        rest: proof.subarray(Math.min(proof.length, node.j * PROOF_STRIDE)),
      }
    }
  }
}

/**
 * The leaf hash of bytes that sit inside a larger buffer at `offset` ≥ 1, without copying them:
 * the byte before them is set to 0x00 for the hash and restored after.
 */
export function leafHashInPlace(buffer: Buffer, offset: number, length: number): Buffer {
  const saved = buffer[offset - 1]!
  buffer[offset - 1] = 0x00
  const digest = treeHasher().digest(buffer.subarray(offset - 1, offset + length))
  buffer[offset - 1] = saved
  return digest
}
