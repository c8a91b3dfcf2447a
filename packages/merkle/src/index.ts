export type { Checkpoint, CheckpointFailure, CheckpointTrust, CheckpointVerification } from './checkpoint.ts'
export {
  CHECKPOINT_JWS_TYPE,
  CRYPTO_PROFILE_EXTENSION,
  checkpointCryptoProfile,
  formatCheckpoint,
  parseCheckpoint,
  signCheckpointJws,
  signCheckpointNote,
  verifyCheckpointJws,
  verifyCheckpointNote,
  withCryptoProfile,
} from './checkpoint.ts'
export type { CosignatureVerification, WitnessKey } from './cosignature.ts'
export { cosign, parseWitnessKey, verifyCosignatures, witnessKey } from './cosignature.ts'
export type { TreeHasher } from './hash.ts'
export { emptyRoot, equalBytes, HASH_SIZE, leafHash, leafHashOfText, nodeHash, treeHasher } from './hash.ts'
export type { CheckpointKey, CheckpointKeyInput, CheckpointSigner, PublishedJwk } from './keys.ts'
export {
  COSIGNATURE_TYPE,
  createCheckpointSigner,
  decodeBase64Strict,
  isKeyValidAt,
  KeySet,
  noteKeyId,
  parseVerifierKey,
} from './keys.ts'
export type { NoteFailure, NoteVerification } from './note.ts'
export { MAX_NOTE_SIGNATURES, signNote, verifyNote } from './note.ts'
export type { TileFetcher, TileId } from './tiles.ts'
export {
  parseTilePath,
  TILE_HEIGHT,
  TILE_WIDTH,
  TileNodeReader,
  tileNodes,
  tilePath,
  tileWidthAt,
} from './tiles.ts'
export type { NodeId, NodeReader, NodeStore, TreeNode } from './tree.ts'
export { CompactTree, consistencyProof, inclusionProof, MemoryNodeStore, rootAt } from './tree.ts'
export type { ProofFailure, ProofVerification } from './verify.ts'
export { verifyConsistency, verifyInclusion } from './verify.ts'
