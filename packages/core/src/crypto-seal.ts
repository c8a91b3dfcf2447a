// The two authenticated encryptions of the crypto profiles (crypto-profile.ts), both under a
// 32-byte key, both binding additional data:
//
// - AES-256-GCM (NIST SP 800-38D), random 96-bit IV, 16-byte tag: ct = ciphertext ‖ tag.
// - SM4-CBC with HMAC-SM3, encrypt-then-MAC exactly as RFC 7518 §5.2.2 builds AES_CBC_HMAC_SHA2
//   (A128CBC-HS256), with SM4 (GB/T 32907) for AES and SM3 (GB/T 32905) for SHA-256: the first
//   16 key bytes are MAC_KEY, the last 16 ENC_KEY; random 128-bit IV; PKCS#7 padding;
//   T = HMAC-SM3(MAC_KEY, AAD ‖ IV ‖ E ‖ AL)[:16], AL the AAD's length in bits, 64-bit
//   big-endian; ct = E ‖ T. The tag is checked (in constant time) before anything is decrypted.
//   Why not SM4-GCM: OpenSSL builds in Node do not offer it (node:crypto has SM4 ECB, CBC, CFB,
//   OFB and CTR only).
//
// Decryption failures throw; the caller turns them into its own error.

import {
  createCipheriv,
  createDecipheriv,
  createHmac,
  type KeyObject,
  randomBytes,
  timingSafeEqual,
} from 'node:crypto'

export interface SealScheme {
  /** The `sealed` member of a sealed value (JOSE `enc`-like name). */
  readonly name: 'A256GCM' | 'SM4CBC-HSM3'
  /** The name of the same construction wrapping a data key under a master key. */
  readonly wrapName: 'A256GCMKW' | 'SM4CBC-HSM3KW'
  readonly ivBytes: number
  /** Bytes of ciphertext (tag included) for a plaintext of `n` bytes. */
  ciphertextBytes(n: number): number
  encrypt(key: KeyObject, plaintext: Uint8Array, aad: Uint8Array): { iv: Buffer; ct: Buffer }
  decrypt(key: KeyObject, iv: Uint8Array, ct: Uint8Array, aad: Uint8Array): Buffer
}

const gcmTag = 16

export const aes256gcm: SealScheme = {
  name: 'A256GCM',
  wrapName: 'A256GCMKW',
  ivBytes: 12,
  ciphertextBytes: (n) => n + gcmTag,
  encrypt(key, plaintext, aad) {
    const iv = randomBytes(12)
    const cipher = createCipheriv('aes-256-gcm', key, iv, { authTagLength: gcmTag })
    cipher.setAAD(aad)
    return { iv, ct: Buffer.concat([cipher.update(plaintext), cipher.final(), cipher.getAuthTag()]) }
  },
  decrypt(key, iv, ct, aad) {
    if (ct.length < gcmTag) throw new RangeError('ciphertext shorter than its tag')
    const decipher = createDecipheriv('aes-256-gcm', key, iv, { authTagLength: gcmTag })
    decipher.setAAD(aad)
    decipher.setAuthTag(ct.subarray(ct.length - gcmTag))
    return Buffer.concat([decipher.update(ct.subarray(0, ct.length - gcmTag)), decipher.final()])
  },
}

const sm4Block = 16
const sm3Tag = 16

function sm4Keys(key: KeyObject): { mac: Buffer; enc: Buffer; raw: Buffer } {
  const raw = key.export()
  if (raw.length !== 32) throw new RangeError('an SM4-CBC-HMAC-SM3 key is 32 bytes')
  return { mac: raw.subarray(0, 16), enc: raw.subarray(16), raw }
}

function sm3Tag16(mac: Buffer, aad: Uint8Array, iv: Uint8Array, e: Uint8Array): Buffer {
  const al = Buffer.alloc(8)
  al.writeBigUInt64BE(BigInt(aad.length) * 8n)
  return createHmac('sm3', mac).update(aad).update(iv).update(e).update(al).digest().subarray(0, sm3Tag)
}

export const sm4cbcHmacSm3: SealScheme = {
  name: 'SM4CBC-HSM3',
  wrapName: 'SM4CBC-HSM3KW',
  ivBytes: sm4Block,
  ciphertextBytes: (n) => (Math.floor(n / sm4Block) + 1) * sm4Block + sm3Tag,
  encrypt(key, plaintext, aad) {
    const { mac, enc, raw } = sm4Keys(key)
    try {
      const iv = randomBytes(sm4Block)
      const cipher = createCipheriv('sm4-cbc', enc, iv)
      const e = Buffer.concat([cipher.update(plaintext), cipher.final()])
      return { iv, ct: Buffer.concat([e, sm3Tag16(mac, aad, iv, e)]) }
    } finally {
      raw.fill(0)
    }
  },
  decrypt(key, iv, ct, aad) {
    const { mac, enc, raw } = sm4Keys(key)
    try {
      if (iv.length !== sm4Block) throw new RangeError('wrong IV length')
      if (ct.length < sm4Block + sm3Tag || (ct.length - sm3Tag) % sm4Block !== 0)
        throw new RangeError('wrong ciphertext length')
      const e = ct.subarray(0, ct.length - sm3Tag)
      if (!timingSafeEqual(sm3Tag16(mac, aad, iv, e), ct.subarray(ct.length - sm3Tag)))
        throw new Error('the tag does not verify')
      const decipher = createDecipheriv('sm4-cbc', enc, iv)
      return Buffer.concat([decipher.update(e), decipher.final()])
    } finally {
      raw.fill(0)
    }
  },
}

/** Every scheme's name, for schemas that accept a sealed value of either profile. */
export const sealSchemeNames = [aes256gcm.name, sm4cbcHmacSm3.name] as const
