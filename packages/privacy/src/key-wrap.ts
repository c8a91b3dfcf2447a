// Wrapping per-worker data keys under a master key.
//
// Choice: AES-256-GCM with a random 96-bit IV, the construction JOSE calls A256GCMKW
// (RFC 7518 §4.7), rather than AES key wrap (RFC 3394 / NIST SP 800-38F KW). Both are
// authenticated; GCM is chosen because it takes additional authenticated data, which here binds
// each wrapped key to its worker's pseudonym and to the master key id. A wrapped key copied onto
// another worker's row, or relabelled with another master key id, then fails to unwrap instead of
// quietly becoming that worker's key (which would, for instance, let a copy outlive a shred).
// KW has no AAD. The cost of GCM is its random-IV limit: at most 2^32 wraps per master key
// (SP 800-38D §8.3). One wrap per worker, plus one per worker at each rotation under the new key,
// stays below that even for all 1.4e9 people in China; rotating the master key resets the count.
//
// Layout of a wrapped key: IV (12 bytes) || ciphertext (32 bytes) || tag (16 bytes) = 60 bytes.
//
// Under the gm crypto profile the same is done with SM4-CBC and HMAC-SM3 (@trec/core
// crypto-seal.ts), which also takes AAD: IV (16) || ciphertext (48, padded) || tag (16) = 80 bytes.

import { createSecretKey, type KeyObject, randomBytes } from 'node:crypto'
import { cryptoProfile, TrecError } from '@trec/core'

/** The wrapping this deployment uses: `A256GCMKW`, or `SM4CBC-HSM3KW` under the gm profile. */
export function wrapAlgorithm(): string {
  return cryptoProfile().seal.wrapName
}
export const dataKeyBytes = 32
/** Bytes of a wrapped data key under the deployment's profile. */
export function wrappedKeyBytes(): number {
  const scheme = cryptoProfile().seal
  return scheme.ivBytes + scheme.ciphertextBytes(dataKeyBytes)
}

/** A master key and the id stored beside every key it wraps, so the master key can rotate. */
export interface MasterKey {
  /** Short printable id, e.g. `2025-01` or `kms:trec/master/3`. Stored in the clear. */
  kid: string
  /** 32 bytes from a CSPRNG or a KMS. */
  key: Uint8Array
}

export interface WrappedKey {
  /** Which master key wrapped it. */
  masterKid: string
  /** IV || ciphertext || tag, 60 bytes. */
  wrapped: Uint8Array
}

export interface PreparedMasterKey {
  readonly kid: string
  readonly key: KeyObject
}

const masterKidPattern = /^[A-Za-z0-9._:/-]{1,64}$/

/** Checks a master key and copies it into a KeyObject (the caller may then wipe its buffer). */
export function prepareMasterKey(master: MasterKey): PreparedMasterKey {
  if (typeof master?.kid !== 'string' || !masterKidPattern.test(master.kid)) {
    throw new RangeError('A master key id must be 1 to 64 characters of A-Z a-z 0-9 . _ : / -.')
  }
  if (!(master.key instanceof Uint8Array) || master.key.byteLength !== dataKeyBytes) {
    throw new RangeError(`A master key must be exactly ${dataKeyBytes} bytes.`)
  }
  return Object.freeze({ kid: master.kid, key: createSecretKey(Buffer.from(master.key)) })
}

function additionalData(masterKid: string, pseudonym: string): Buffer {
  return Buffer.from(JSON.stringify(['trec.wrap.v1', wrapAlgorithm(), masterKid, pseudonym]), 'utf8')
}

/** A fresh random data key, 32 bytes. */
export function generateDataKey(): Buffer {
  return randomBytes(dataKeyBytes)
}

export function wrapDataKey(master: PreparedMasterKey, pseudonym: string, dataKey: Uint8Array): WrappedKey {
  const { iv, ct } = cryptoProfile().seal.encrypt(master.key, dataKey, additionalData(master.kid, pseudonym))
  return { masterKid: master.kid, wrapped: new Uint8Array(Buffer.concat([iv, ct])) }
}

/**
 * Unwraps with whichever of `masters` has the stored master key id. Throws
 * `TREC_DECRYPTION_FAILED` with `details.reason` `unknown_master_key` (no such master key
 * configured) or `wrong_master_key` (the key with that id does not authenticate the wrapped key).
 */
export function unwrapDataKey(
  masters: ReadonlyMap<string, PreparedMasterKey>,
  pseudonym: string,
  stored: WrappedKey,
): KeyObject {
  const master = masters.get(stored.masterKid)
  if (master === undefined) {
    throw new TrecError(
      'TREC_DECRYPTION_FAILED',
      'The data key is wrapped under a master key that is not configured.',
      {
        details: { reason: 'unknown_master_key', masterKid: stored.masterKid, pseudonym },
      },
    )
  }
  const bytes = Buffer.from(stored.wrapped)
  let dataKey: Buffer | undefined
  try {
    const scheme = cryptoProfile().seal
    if (bytes.length !== wrappedKeyBytes()) throw new RangeError('wrapped key has the wrong length')
    dataKey = scheme.decrypt(
      master.key,
      bytes.subarray(0, scheme.ivBytes),
      bytes.subarray(scheme.ivBytes),
      additionalData(master.kid, pseudonym),
    )
    if (dataKey.length !== dataKeyBytes) throw new RangeError('unwrapped key has the wrong length')
    return createSecretKey(dataKey)
  } catch (cause) {
    throw new TrecError(
      'TREC_DECRYPTION_FAILED',
      'The data key did not unwrap: the master key is wrong, or the wrapped key was altered or moved.',
      { details: { reason: 'wrong_master_key', masterKid: stored.masterKid, pseudonym }, cause },
    )
  } finally {
    // createSecretKey copied the bytes; wipe ours (best effort: JS gives no guarantee about other copies).
    dataKey?.fill(0)
    bytes.fill(0)
  }
}

/** A new random master key with the given id, for setting up or rotating. Keep it in a KMS or a secret store, never beside the keys it wraps. */
export function generateMasterKey(kid: string): MasterKey {
  return { kid, key: new Uint8Array(randomBytes(dataKeyBytes)) }
}
