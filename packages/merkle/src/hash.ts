// The hashes of an RFC 9162 Merkle tree (RFC 9162 §2.1.1, same as RFC 6962 §2.1). The tree's hash
// is a log parameter (RFC 9162 §4.1): SHA-256, or SM3 under the gm crypto profile, with the same
// prefixes and structure; below, SHA-256 stands for either.
//
//   MTH({})     = SHA-256()                            empty tree: the hash of the empty string
//   MTH({d})    = SHA-256(0x00 || d)                   leaf hash
//   MTH(D_n)    = SHA-256(0x01 || MTH(left) || MTH(right))  node hash
//
// The 0x00 / 0x01 prefixes are domain separation: a node can never be passed off as a leaf
// (second-preimage resistance, RFC 9162 §2.1.1). Note MTH({}) is SHA-256(""), not SHA-256(0x00).

import { hash } from 'node:crypto'
import { cryptoProfile } from '@trec/core'
import { sha256Of65 } from './sha256-65.ts'

/** Bytes in every hash of the tree (SHA-256 and SM3 both give 32). */
export const HASH_SIZE = 32

/** The tree's hash function, one per hash of the crypto profiles (@trec/core crypto-profile.ts). */
export interface TreeHasher {
  /** node:crypto name of the hash. */
  readonly name: 'sha256' | 'sm3'
  /** The hash of some bytes or of a text's UTF-8 bytes. */
  digest(data: Uint8Array | string): Buffer
  /** The hash of exactly 65 bytes, 0x01 ‖ left ‖ right: a node. */
  node65(input: Uint8Array): Buffer
}

const hashers: Record<TreeHasher['name'], TreeHasher> = {
  sha256: {
    name: 'sha256',
    digest: (data) => hash('sha256', data, 'buffer'),
    node65: sha256Of65,
  },
  sm3: {
    name: 'sm3',
    digest: (data) => hash('sm3', data, 'buffer'),
    node65: (input) => hash('sm3', input, 'buffer'),
  },
}

/** The hash of the tree under the deployment's crypto profile: SHA-256, or SM3 under gm. */
export function treeHasher(): TreeHasher {
  return hashers[cryptoProfile().hash]
}

const leafPrefix = Uint8Array.of(0x00)
const nodePrefix = Uint8Array.of(0x01)
/** 0x01 ‖ left ‖ right for two hashes, filled for each node hash. */
const nodeInput = new Uint8Array(1 + 2 * HASH_SIZE).fill(0x01, 0, 1)

/** RFC 9162 §2.1.1: the hash of a leaf, HASH(0x00 || leaf). */
export function leafHash(leaf: Uint8Array): Uint8Array {
  // One-shot hashing of one buffer: a third cheaper than a hash object fed twice.
  return treeHasher().digest(Buffer.concat([leafPrefix, leaf]))
}

/**
 * {@link leafHash} of a text's UTF-8 bytes. Hashes 0x00 and the text as one string (NUL is one
 * byte in UTF-8), so no buffer is made for the text: half the time of encoding it and joining
 * the prefix first, for a 700-byte leaf. The text must be well-formed UTF-16 (a lone surrogate
 * would be encoded as U+FFFD).
 */
export function leafHashOfText(text: string): Uint8Array {
  return treeHasher().digest(`\0${text}`)
}

/**
 * RFC 9162 §2.1.1: the hash of an interior node, HASH(0x01 || left || right); under SHA-256 for
 * two hashes by `sha256Of65` (sha256-65.ts), which costs less than half of a node:crypto call. The
 * inputs are not length-checked here (the published hasher vectors hash short strings); the tree
 * and the verifiers check that every hash they take is {@link HASH_SIZE} bytes.
 */
export function nodeHash(left: Uint8Array, right: Uint8Array): Uint8Array {
  const hasher = treeHasher()
  if (left.length !== HASH_SIZE || right.length !== HASH_SIZE)
    return hasher.digest(Buffer.concat([nodePrefix, left, right]))
  nodeInput.set(left, 1)
  nodeInput.set(right, 1 + HASH_SIZE)
  return hasher.node65(nodeInput)
}

/** RFC 9162 §2.1.1: the root of the empty tree, the hash of the empty string (a fresh copy). */
export function emptyRoot(): Uint8Array {
  return treeHasher().digest(new Uint8Array(0))
}

/** Byte equality. Everything compared here is public (hashes, roots), so no constant time needed. */
export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false
  return true
}
