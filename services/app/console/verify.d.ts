// Types of verify.js (plain JavaScript: the browser loads it as it is), for the tests that run it
// beside trec-verify in Node.

export class VerifyError extends Error {
  reason: string
  line: number | undefined
  constructor(reason: string, message: string, line?: number)
}
export type TreeHash = 'sha256' | 'sm3'
export interface PinnedKey {
  name: string
  keyId: string
  scheme: 'Ed25519' | 'SM2'
  /** The crypto profile of the checkpoints this key signs. */
  profile: 'international' | 'gm'
  jwsAlg: 'EdDSA' | 'SM2SM3'
  verify(signature: Uint8Array, message: Uint8Array): Promise<boolean>
}
export interface Trust {
  origin: string
  key: PinnedKey
}
export interface VerifiedCheckpoint {
  origin: string
  size: number
  root: Uint8Array
  timestamp: number
  /** The tree's hash, as the checkpoint's crypto profile names it. */
  hash: TreeHash
}
export function fromBase64(text: string): Uint8Array
export function leafHash(leaf: Uint8Array, hash?: TreeHash): Promise<Uint8Array>
export function pinKey(text: string): Promise<PinnedKey>
export function verifyCheckpoint(note: string, trust: Trust): Promise<VerifiedCheckpoint>
export function verifyCheckpointJws(jws: string, note: string, trust: Trust): Promise<void>
export function rootFromInclusion(
  index: number,
  size: number,
  leaf: Uint8Array,
  proof: Uint8Array[],
  hash?: TreeHash,
): Promise<Uint8Array | undefined>
export function consistencyHolds(
  first: number,
  second: number,
  firstRoot: Uint8Array,
  secondRoot: Uint8Array,
  proof: Uint8Array[],
  hash?: TreeHash,
): Promise<boolean>
export function verifyInclusionAnswer(
  answer: unknown,
  trust: Trust,
  leaf?: Uint8Array,
): Promise<{ checkpoint: VerifiedCheckpoint; leafIndex: number }>
export function verifyConsistencyAnswer(
  answer: unknown,
  older: VerifiedCheckpoint,
  newer: VerifiedCheckpoint,
): Promise<{ from: number; to: number }>
export function verifyExportText(
  text: string,
  trust: Trust,
  onProgress?: (done: number) => void,
): Promise<{ checkpoint: VerifiedCheckpoint; events: number; selection: unknown }>
