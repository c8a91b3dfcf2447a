// The worker key used in stream names, Kafka keys and URLs: a keyed hash of the normalised
// card number, so the number itself never appears there (docs/architecture.md, "Identity and
// personal data").
//
// Why a keyed hash (HMAC, RFC 2104) and not a plain hash: valid card numbers are few enough
// (about 3,500 region codes x 45,000 birth dates x 1,000 sequence codes, about 1.6e11) to hash
// them all in hours, so a plain SHA-256 could be reversed by enumeration. Without the secret
// the pseudonym reveals nothing; with it, it can be recomputed from a number, which is exactly
// the lookup-by-card path. A pseudonym is still personal information (PIPL art. 73: pseudonymised
// is not anonymised), so keep the secret as carefully as the master key.
//
// Why 128 bits is enough: truncating HMAC-SHA256 to its first half is allowed by RFC 2104 §5
// (at least half the hash, at least 80 bits) and NIST SP 800-107r1 §5.3.4. Forging needs the
// secret either way. What truncation changes is the chance that two people share a pseudonym:
// for n = 1.4e9 people (all of China) the birthday bound gives n^2 / 2^129 ≈ 2.9e-21.

import { createHmac, createSecretKey, type KeyObject } from 'node:crypto'
import { normaliseCardNumber } from '@trec/core'

/** 32 lowercase hex characters: the first 16 bytes of HMAC-SHA256(secret, normalised card number). */
export const pseudonymPattern = /^[0-9a-f]{32}$/

export function isPseudonym(value: unknown): value is string {
  return typeof value === 'string' && pseudonymPattern.test(value)
}

export const minimumSecretBytes = 32

export interface Pseudonymizer {
  /** Validates and normalises the card number (throws `TREC_INVALID_CARD_NUMBER`), then returns its pseudonym. */
  pseudonym(cardNumber: string): string
}

/**
 * `secret` is raw bytes, or a string taken as its UTF-8 bytes (so a 64-character hex string is
 * 64 bytes of key material holding 32 bytes of entropy). Fewer than 32 bytes is refused: the
 * length check cannot measure entropy, so generate the secret with a CSPRNG.
 */
export function createPseudonymizer(secret: Uint8Array | string): Pseudonymizer {
  const bytes = typeof secret === 'string' ? Buffer.from(secret, 'utf8') : secret
  if (!(bytes instanceof Uint8Array) || bytes.byteLength < minimumSecretBytes) {
    throw new RangeError(`The pseudonym secret must be at least ${minimumSecretBytes} bytes.`)
  }
  // A KeyObject holds its own copy, so the caller may wipe its buffer afterwards.
  const key: KeyObject = createSecretKey(Buffer.from(bytes))
  return Object.freeze({
    pseudonym(cardNumber: string): string {
      const normalised = normaliseCardNumber(cardNumber)
      return createHmac('sha256', key).update(normalised, 'utf8').digest().subarray(0, 16).toString('hex')
    },
  })
}
