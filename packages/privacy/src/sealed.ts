// A sealed value: one personal-data field (name, ID number, phone, bank account) encrypted
// with its worker's data key, in a JSON shape that can sit inside an event.
//
// AES-256-GCM (NIST SP 800-38D) with a fresh random 96-bit IV per value. Random IVs are safe
// while one key seals fewer than 2^32 values (SP 800-38D §8.3); a data key belongs to one worker
// and seals a handful of fields per event, far below that. The additional authenticated data
// binds the ciphertext to the worker's pseudonym and the field path, so a ciphertext copied to
// another worker's event or to another field fails to open instead of showing the wrong person's
// data under the wrong label.

import { createCipheriv, createDecipheriv, type KeyObject, randomBytes } from 'node:crypto'
import { TrecError } from '@trec/core'
import { z } from 'zod'
import { pseudonymPattern } from './pseudonym.ts'

export const sealedAlgorithm = 'A256GCM'

const ivBytes = 12
const tagBytes = 16
const base64url = /^[A-Za-z0-9_-]*$/

export const sealedValueSchema = z
  .object({
    sealed: z.literal(sealedAlgorithm),
    /** The worker's pseudonym: which data key opens the value. */
    kid: z.string().regex(pseudonymPattern),
    /** 12 bytes, base64url without padding (RFC 4648 §5). */
    iv: z.string().length(16).regex(base64url),
    /** Ciphertext followed by the 16-byte GCM tag, base64url without padding. */
    ct: z.string().min(22).regex(base64url),
  })
  .strict()

export type SealedValue = z.infer<typeof sealedValueSchema>

export function isSealedValue(value: unknown): value is SealedValue {
  return sealedValueSchema.safeParse(value).success
}

/** The AAD: a JSON array is an unambiguous encoding of the parts, unlike plain concatenation. */
function additionalData(kid: string, fieldPath: string): Buffer {
  return Buffer.from(JSON.stringify(['trec.sealed.v1', sealedAlgorithm, kid, fieldPath]), 'utf8')
}

/** Seals `plaintext` under an already unwrapped data key. Most callers want `KeyRing.seal`. */
export function sealWithKey(
  dataKey: KeyObject,
  kid: string,
  fieldPath: string,
  plaintext: string,
): SealedValue {
  const iv = randomBytes(ivBytes)
  const cipher = createCipheriv('aes-256-gcm', dataKey, iv, { authTagLength: tagBytes })
  cipher.setAAD(additionalData(kid, fieldPath))
  const ct = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final(), cipher.getAuthTag()])
  return { sealed: sealedAlgorithm, kid, iv: iv.toString('base64url'), ct: ct.toString('base64url') }
}

/**
 * Opens a sealed value with its data key. Throws `TREC_DECRYPTION_FAILED` when the value does
 * not authenticate for this key, worker and field.
 */
export function openWithKey(dataKey: KeyObject, sealed: SealedValue, fieldPath: string): string {
  const iv = Buffer.from(sealed.iv, 'base64url')
  const body = Buffer.from(sealed.ct, 'base64url')
  // Buffer's base64url decoder skips characters it does not know and ignores spare bits, so
  // only the canonical spelling of the bytes is accepted: one value, one spelling.
  if (iv.length !== ivBytes || body.length < tagBytes) throw malformedSealedValue()
  if (iv.toString('base64url') !== sealed.iv || body.toString('base64url') !== sealed.ct)
    throw malformedSealedValue()
  try {
    const decipher = createDecipheriv('aes-256-gcm', dataKey, iv, { authTagLength: tagBytes })
    decipher.setAAD(additionalData(sealed.kid, fieldPath))
    decipher.setAuthTag(body.subarray(body.length - tagBytes))
    return Buffer.concat([
      decipher.update(body.subarray(0, body.length - tagBytes)),
      decipher.final(),
    ]).toString('utf8')
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
