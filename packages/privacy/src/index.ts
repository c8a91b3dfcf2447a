// Card-number recognition lives in @trec/core (the event store needs it and must not depend on
// this package); it is re-exported here beside the pseudonyms and sealing that build on it.
export type {
  CardNumberIssue,
  CardNumberIssueCode,
  CardNumberOptions,
  CardNumberResult,
} from '@trec/core'
export {
  canonicalCardNumber,
  cardNumberCheckCharacter,
  cardNumberLength,
  containsCardNumber,
  findCardNumbers,
  isCardNumber,
  looksLikeCardNumber,
  normaliseCardNumber,
  redactCardNumbers,
  validateCardNumber,
} from '@trec/core'
export { cardNumberSchema } from './card-number-schema.ts'
export { KeyCache } from './key-cache.ts'
export type {
  FieldOptions,
  KeyRingOptions,
  OpenedFields,
  OpenFieldsResult,
  RewrapReport,
  SealedFields,
} from './key-ring.ts'
export { defaultCacheTtlMs, defaultMaxCachedKeys, KeyRing } from './key-ring.ts'
export type { KeyStore, ListKeysOptions, StoredKey } from './key-store.ts'
export { MemoryKeyStore, sameWrappedKey } from './key-store.ts'
export type { MasterKey, WrappedKey } from './key-wrap.ts'
export { generateMasterKey, wrapAlgorithm } from './key-wrap.ts'
export type { Pseudonymizer } from './pseudonym.ts'
export { createPseudonymizer, isPseudonym, minimumSecretBytes, pseudonymPattern } from './pseudonym.ts'
export type { SealedValue } from './sealed.ts'
export { isSealedValue, sealedAlgorithm, sealedValueSchema } from './sealed.ts'
export type { SqlClient, SqlKeyStoreOptions } from './sql-key-store.ts'
export { SqlKeyStore } from './sql-key-store.ts'
