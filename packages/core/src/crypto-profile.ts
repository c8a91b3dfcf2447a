// The crypto profile of a deployment: which hash, signature and sealing algorithms the audit log
// and personal data use. One home: the Merkle tree (@trec/merkle), checkpoint signatures and
// sealing (@trec/privacy) ask `cryptoProfile()` and never name an algorithm themselves.
//
//   international  SHA-256 (FIPS 180-4)   Ed25519 (RFC 8032)          AES-256-GCM
//   gm (国密)      SM3 (GB/T 32905)       SM2 with SM3 (GB/T 32918)   SM4-CBC + HMAC-SM3 (GB/T 32907)
//
// The gm profile is what a 商用密码应用安全性评估 (GB/T 39786) expects of a system handling
// personal data. It is chosen once per deployment with TREC_CRYPTO_PROFILE (default
// international) and cannot change for a log once it has leaves: the tree's hashes and the
// keys would not match. A gm checkpoint says so in a signed extension line
// (`crypto-profile gm`, @trec/merkle checkpoint.ts), so a verifier knows which profile to check
// with; international checkpoints carry no such line and stay as they were.

import { hash } from 'node:crypto'
import { aes256gcm, type SealScheme, sm4cbcHmacSm3 } from './crypto-seal.ts'
import { ed25519, type SignatureScheme, sm2Sm3 } from './crypto-sign.ts'

export const cryptoProfileNames = ['international', 'gm'] as const
export type CryptoProfileName = (typeof cryptoProfileNames)[number]

export interface CryptoProfile {
  readonly name: CryptoProfileName
  /** node:crypto name of the hash: the Merkle tree's, key ids', digests'. Both give 32 bytes. */
  readonly hash: 'sha256' | 'sm3'
  /** The hash of `data` (a string is hashed as UTF-8). */
  digest(data: string | Uint8Array): Buffer
  readonly signature: SignatureScheme
  readonly seal: SealScheme
}

const profiles: Record<CryptoProfileName, CryptoProfile> = {
  international: {
    name: 'international',
    hash: 'sha256',
    digest: (data) => hash('sha256', data, 'buffer'),
    signature: ed25519,
    seal: aes256gcm,
  },
  gm: {
    name: 'gm',
    hash: 'sm3',
    digest: (data) => hash('sm3', data, 'buffer'),
    signature: sm2Sm3,
    seal: sm4cbcHmacSm3,
  },
}

let current: CryptoProfile | undefined

export function isCryptoProfileName(value: unknown): value is CryptoProfileName {
  return typeof value === 'string' && (cryptoProfileNames as readonly string[]).includes(value)
}

/** A profile by name. */
export function cryptoProfileNamed(name: CryptoProfileName): CryptoProfile {
  return profiles[name]
}

/**
 * The deployment's profile: the one set by `useCryptoProfile`, else TREC_CRYPTO_PROFILE
 * (`international` or `gm`, default international), read once. An unknown name throws.
 */
export function cryptoProfile(): CryptoProfile {
  if (current === undefined) {
    const name = process.env.TREC_CRYPTO_PROFILE || 'international'
    if (!isCryptoProfileName(name))
      throw new RangeError(`TREC_CRYPTO_PROFILE must be ${cryptoProfileNames.join(' or ')}, not ${name}`)
    current = profiles[name]
  }
  return current
}

/**
 * Sets the profile of this process: for a verifier, the profile a checkpoint names; for tests and
 * benchmarks that compare both. Returns the previous one.
 */
export function useCryptoProfile(name: CryptoProfileName): CryptoProfile {
  const previous = cryptoProfile()
  current = profiles[name]
  return previous
}
