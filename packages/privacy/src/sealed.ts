// A sealed value: one personal-data field (name, ID number, phone, bank account) encrypted
// with its worker's data key, in a JSON shape that can sit inside an event.
//
// The deployment's crypto profile chooses the cipher (@trec/core crypto-seal.ts): AES-256-GCM
// (NIST SP 800-38D) with a fresh random 96-bit IV per value, or under the gm profile SM4-CBC with
// HMAC-SM3 (encrypt-then-MAC) and a random 128-bit IV. Random GCM IVs are safe while one key seals
// fewer than 2^32 values (SP 800-38D §8.3); a data key belongs to one worker and seals a handful
// of fields per event, far below that. The additional authenticated data
// binds the ciphertext to the worker's pseudonym and the field path, so a ciphertext copied to
// another worker's event or to another field fails to open instead of showing the wrong person's
// data under the wrong label.

import type { KeyObject } from 'node:crypto'
import { aes256gcm, cryptoProfile, sm4cbcHmacSm3, TrecError } from '@trec/core'
import { z } from 'zod'
import { pseudonymPattern } from './pseudonym.ts'

/** The `sealed` member this deployment writes: `A256GCM`, or `SM4CBC-HSM3` under the gm profile. */
export function sealedAlgorithm(): string {
  return cryptoProfile().seal.name
}

const base64url = /^[A-Za-z0-9_-]*$/

const sealedShape = <Name extends string>(name: Name, ivChars: number) =>
  z
    .object({
      sealed: z.literal(name),
      /** The worker's pseudonym: which data key opens the value. */
      kid: z.string().regex(pseudonymPattern),
      /** The IV (12 bytes for GCM, 16 for SM4-CBC), base64url without padding (RFC 4648 §5). */
      iv: z.string().length(ivChars).regex(base64url),
      /** Ciphertext followed by the 16-byte tag, base64url without padding. */
      ct: z.string().min(22).regex(base64url),
    })
    .strict()

/** A sealed value of either crypto profile; it opens only under the profile that sealed it. */
export const sealedValueSchema = z.discriminatedUnion('sealed', [
  sealedShape(aes256gcm.name, 16),
  sealedShape(sm4cbcHmacSm3.name, 22),
])

export type SealedValue = z.infer<typeof sealedValueSchema>

export function isSealedValue(value: unknown): value is SealedValue {
  return sealedValueSchema.safeParse(value).success
}

/** The AAD: a JSON array is an unambiguous encoding of the parts, unlike plain concatenation. */
function additionalData(algorithm: string, kid: string, fieldPath: string): Buffer {
  return Buffer.from(JSON.stringify(['trec.sealed.v1', algorithm, kid, fieldPath]), 'utf8')
}

/** Seals `plaintext` under an already unwrapped data key. Most callers want `KeyRing.seal`. */
export function sealWithKey(
  dataKey: KeyObject,
  kid: string,
  fieldPath: string,
  plaintext: string,
): SealedValue {
  const scheme = cryptoProfile().seal
  const { iv, ct } = scheme.encrypt(
    dataKey,
    Buffer.from(plaintext, 'utf8'),
    additionalData(scheme.name, kid, fieldPath),
  )
  return { sealed: scheme.name, kid, iv: iv.toString('base64url'), ct: ct.toString('base64url') }
}

/**
 * Opens a sealed value with its data key. Throws `TREC_DECRYPTION_FAILED` when the value does
 * not authenticate for this key, worker and field.
 */
export function openWithKey(dataKey: KeyObject, sealed: SealedValue, fieldPath: string): string {
  const scheme = cryptoProfile().seal
  const iv = Buffer.from(sealed.iv, 'base64url')
  const body = Buffer.from(sealed.ct, 'base64url')
  // Buffer's base64url decoder skips characters it does not know and ignores spare bits, so
  // only the canonical spelling of the bytes is accepted: one value, one spelling. A value of
  // the other profile's cipher is not this deployment's.
  if (sealed.sealed !== scheme.name || iv.length !== scheme.ivBytes || body.length < 16)
    throw malformedSealedValue()
  if (iv.toString('base64url') !== sealed.iv || body.toString('base64url') !== sealed.ct)
    throw malformedSealedValue()
  try {
    return scheme
      .decrypt(dataKey, iv, body, additionalData(scheme.name, sealed.kid, fieldPath))
      .toString('utf8')
  } catch (cause) {
    throw new TrecError(
      'TREC_DECRYPTION_FAILED',
      'A sealed value did not authenticate: it was altered or moved to another worker or field.',
      { details: { reason: 'tampered_or_misplaced', pseudonym: sealed.kid, fieldPath }, cause },
    )
  }
}

/** Checks the shape of something that should be a sealed value, throwing `TREC_DECRYPTION_FAILED` if it is not. */
export function parseSealedValue(value: unknown): SealedValue {
  const result = sealedValueSchema.safeParse(value)
  if (!result.success) throw malformedSealedValue()
  return result.data
}

function malformedSealedValue(): TrecError {
  return new TrecError('TREC_DECRYPTION_FAILED', 'A sealed value is malformed.', {
    details: { reason: 'malformed_sealed_value' },
  })
}
