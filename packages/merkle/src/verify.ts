// Proof verification exactly as RFC 9162 §2.1.3.2 (inclusion) and §2.1.4.2 (consistency), with the
// input guards the published transparency-dev/merkle probes require: every hash must be 32 bytes,
// the proof must have exactly the length the sizes imply (so preceding or trailing garbage and
// truncated proofs fail with a clear reason), and the size edge cases below.
//
// Sizes and indexes are numbers (safe integers, up to 2^53 − 1); the bit walks run on bigint
// because JavaScript's bitwise operators truncate to 32 bits.

import { equalBytes, HASH_SIZE, nodeHash } from './hash.ts'

export type ProofFailure =
  /** An index or size is not a non-negative safe integer. */
  | 'invalid-argument'
  /** Inclusion: the index is not below the tree size. */
  | 'index-out-of-range'
  /** A leaf hash, root or proof element is not 32 bytes. */
  | 'bad-hash-length'
  /** The proof is longer or shorter than the sizes imply (including non-empty for equal sizes). */
  | 'wrong-proof-length'
  /** Consistency: size1 > size2, a tree cannot shrink. */
  | 'size-decreased'
  /** Consistency from the empty tree: RFC 9162 §2.1.4 defines proofs only for 0 < size1. */
  | 'empty-first-tree'
  /** The proof does not lead to the given root (the second root, for consistency). */
  | 'root-mismatch'
  /** Consistency: the proof does not lead to the first root. */
  | 'first-root-mismatch'

export type ProofVerification = { ok: true } | { ok: false; reason: ProofFailure; message: string }

const ok: ProofVerification = { ok: true }

function fail(reason: ProofFailure, message: string): ProofVerification {
  return { ok: false, reason, message }
}

/**
 * RFC 9162 §2.1.3.2: does `proof` show that `leafHash` is leaf `index` of the tree of `treeSize`
 * leaves whose root is `root`?
 */
export function verifyInclusion(
  leafHash: Uint8Array,
  index: number,
  treeSize: number,
  proof: readonly Uint8Array[],
  root: Uint8Array,
): ProofVerification {
  if (!isCount(index) || !isCount(treeSize)) {
    return fail('invalid-argument', 'index and treeSize must be non-negative safe integers')
  }
  // Step 1: fail if leaf_index >= tree_size (this also rejects every proof against the empty tree).
  if (index >= treeSize)
    return fail('index-out-of-range', `index ${index} is not below tree size ${treeSize}`)
  const badHash = findBadHash({ leafHash, root }, proof)
  if (badHash !== undefined) return fail('bad-hash-length', `${badHash} is not ${HASH_SIZE} bytes`)

  const fn0 = BigInt(index)
  const sn0 = BigInt(treeSize) - 1n
  const expected = inclusionProofLength(fn0, sn0)
  if (proof.length !== expected) {
    return fail('wrong-proof-length', `proof has ${proof.length} hashes, want ${expected}`)
  }

  // Steps 2–4.
  let fn = fn0
  let sn = sn0
  let r = leafHash
  for (const p of proof) {
    if (sn === 0n) return fail('wrong-proof-length', 'proof is longer than the path to the root')
    if ((fn & 1n) === 1n || fn === sn) {
      r = nodeHash(p, r)
      while ((fn & 1n) === 0n && fn !== 0n) {
        fn >>= 1n
        sn >>= 1n
      }
    } else {
      r = nodeHash(r, p)
    }
    fn >>= 1n
    sn >>= 1n
  }
  if (sn !== 0n) return fail('wrong-proof-length', 'proof is shorter than the path to the root')
  return equalBytes(r, root) ? ok : fail('root-mismatch', 'the proof does not lead to the given root')
}

/**
 * RFC 9162 §2.1.4.2: does `proof` show that the tree of `size2` leaves with root `root2` extends
 * the tree of `size1` leaves with root `root1`?
 *
 * Edge cases, as the published probes expect: size1 > size2 fails; size1 = 0 fails (the RFC
 * defines consistency proofs for 0 < size1, and "consistent with the empty tree" says nothing,
 * so a caller starting from nothing checks the first checkpoint another way, by replaying it);
 * equal sizes need an empty proof and equal roots (compared as given: the claim is trivially
 * true whatever the bytes, and checkpoint parsing has already required 32-byte roots).
 */
export function verifyConsistency(
  size1: number,
  size2: number,
  proof: readonly Uint8Array[],
  root1: Uint8Array,
  root2: Uint8Array,
): ProofVerification {
  if (!isCount(size1) || !isCount(size2)) {
    return fail('invalid-argument', 'size1 and size2 must be non-negative safe integers')
  }
  if (size1 > size2) return fail('size-decreased', `size1 ${size1} is greater than size2 ${size2}`)
  if (size1 === 0) return fail('empty-first-tree', 'a consistency proof from the empty tree proves nothing')
  if (size1 === size2) {
    if (proof.length !== 0) return fail('wrong-proof-length', 'equal sizes need an empty proof')
    return equalBytes(root1, root2) ? ok : fail('root-mismatch', 'equal sizes but different roots')
  }
  // Step 1: fail if the path is empty (covered by the length check, but named for the reader).
  if (proof.length === 0) return fail('wrong-proof-length', 'size1 < size2 needs a non-empty proof')
  const badHash = findBadHash({ root1, root2 }, proof)
  if (badHash !== undefined) return fail('bad-hash-length', `${badHash} is not ${HASH_SIZE} bytes`)

  const first = BigInt(size1)
  const second = BigInt(size2)
  const firstIsPowerOfTwo = (first & (first - 1n)) === 0n
  const expected = consistencyProofLength(first, second, firstIsPowerOfTwo)
  if (proof.length !== expected) {
    return fail('wrong-proof-length', `proof has ${proof.length} hashes, want ${expected}`)
  }

  // Step 2: if first is an exact power of two, the proof omits MTH(D[0:first]): prepend root1.
  const path = firstIsPowerOfTwo ? [root1, ...proof] : proof
  // Step 3.
  let fn = first - 1n
  let sn = second - 1n
  while ((fn & 1n) === 1n) {
    fn >>= 1n
    sn >>= 1n
  }
  // Step 4.
  let fr = path[0]!
  let sr = path[0]!
  // Step 5.
  for (const c of path.slice(1)) {
    if (sn === 0n) return fail('wrong-proof-length', 'proof is longer than the path to the root')
    if ((fn & 1n) === 1n || fn === sn) {
      fr = nodeHash(c, fr)
      sr = nodeHash(c, sr)
      while ((fn & 1n) === 0n && fn !== 0n) {
        fn >>= 1n
        sn >>= 1n
      }
    } else {
      sr = nodeHash(sr, c)
    }
    fn >>= 1n
    sn >>= 1n
  }
  // Step 6.
  if (sn !== 0n) return fail('wrong-proof-length', 'proof is shorter than the path to the root')
  if (!equalBytes(fr, root1)) return fail('first-root-mismatch', 'the proof does not lead to the first root')
  if (!equalBytes(sr, root2)) return fail('root-mismatch', 'the proof does not lead to the second root')
  return ok
}

function isCount(value: number): boolean {
  return Number.isSafeInteger(value) && value >= 0
}

function findBadHash(named: Record<string, Uint8Array>, proof: readonly Uint8Array[]): string | undefined {
  for (const [name, hash] of Object.entries(named)) if (hash.length !== HASH_SIZE) return name
  const i = proof.findIndex((hash) => hash.length !== HASH_SIZE)
  return i === -1 ? undefined : `proof[${i}]`
}

function bitLength(x: bigint): number {
  return x === 0n ? 0 : x.toString(2).length
}

function popCount(x: bigint): number {
  let count = 0
  for (const digit of x.toString(2)) if (digit === '1') count += 1
  return count
}

/**
 * Length of PATH(index, D_n) with last = n − 1: the levels below the node where the paths to
 * `index` and to `last` part ("inner", bit length of index XOR last), plus one left sibling per
 * set bit of index above that point (the right border).
 */
function inclusionProofLength(index: bigint, last: bigint): number {
  const inner = bitLength(index ^ last)
  return inner + popCount(index >> BigInt(inner))
}

/**
 * Length of PROOF(m, D_n): the audit path of leaf m − 1 in the tree of n, minus the levels inside
 * the largest perfect subtree ending at m (whose root is the proof's first hash, or root1 itself
 * when m is a power of two and the proof omits it).
 */
function consistencyProofLength(first: bigint, second: bigint, firstIsPowerOfTwo: boolean): number {
  const last1 = first - 1n
  const inner = bitLength(last1 ^ (second - 1n))
  const border = popCount(last1 >> BigInt(inner))
  let shift = 0
  while (((first >> BigInt(shift)) & 1n) === 0n) shift += 1
  return inner - shift + border + (firstIsPowerOfTwo ? 0 : 1)
}
