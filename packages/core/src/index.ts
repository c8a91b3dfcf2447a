export type { TakeGroup, WaitingCall } from './call-groups.ts'
export { CallGroups, firstCalls, togetherOrAlone } from './call-groups.ts'
export type {
  CardNumberIssue,
  CardNumberIssueCode,
  CardNumberOptions,
  CardNumberResult,
} from './card-number.ts'
export {
  canonicalCardNumber,
  cardNumberCheckCharacter,
  cardNumberLength,
  isCardNumber,
  normaliseCardNumber,
  validateCardNumber,
} from './card-number.ts'
export {
  containsCardNumber,
  findCardNumbers,
  looksLikeCardNumber,
  redactCardNumbers,
} from './card-number-scan.ts'
export { addDays, chinaDay, chinaDayStart, quarterOf, quarterPattern } from './china-time.ts'
export type { CryptoProfile, CryptoProfileName } from './crypto-profile.ts'
export {
  cryptoProfile,
  cryptoProfileNamed,
  cryptoProfileNames,
  isCryptoProfileName,
  useCryptoProfile,
} from './crypto-profile.ts'
export type { SealScheme } from './crypto-seal.ts'
export { aes256gcm, sealSchemeNames, sm4cbcHmacSm3 } from './crypto-seal.ts'
export type { PublicJwkMembers, SignatureScheme } from './crypto-sign.ts'
export {
  ed25519,
  jwkThumbprint,
  publicKeyFromJwk,
  SM2_DEFAULT_USER_ID,
  signatureSchemeOf,
  signatureSchemeOfJwk,
  signatureSchemes,
  sm2Sm3,
} from './crypto-sign.ts'
export type { CursorCodec, CursorPosition } from './cursor.ts'
export { cursorCodec } from './cursor.ts'
export type { Issue, TrecErrorCode, TrecErrorOptions } from './errors.ts'
export { errorCodes, isTrecError, TrecError } from './errors.ts'
export { utcInstant } from './iso-instant.ts'
export type { JsonObject, JsonPrimitive, JsonValue } from './json.ts'
export { isJsonObject, jsonIssues } from './json.ts'
export { uuidPattern, uuidv7, uuidv8Of } from './uuid.ts'
