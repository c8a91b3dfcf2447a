import { createCipheriv, createECDH, createHash, createSecretKey, randomBytes } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { afterEach, describe, expect, it } from 'vitest'
import {
  aes256gcm,
  cryptoProfile,
  ed25519,
  publicKeyFromJwk,
  SM2_DEFAULT_USER_ID,
  signatureSchemeOf,
  sm2Sm3,
  sm4cbcHmacSm3,
  useCryptoProfile,
} from '../src/index.ts'

const vectors = JSON.parse(readFileSync(new URL('./vectors/gm-vectors.json', import.meta.url), 'utf8'))
const hex = (s: string) => Buffer.from(s, 'hex')
const big = (s: string) => BigInt(`0x${s}`)

describe('published SM3 / SM4 / SM2 examples (test/vectors/gm-vectors.json)', () => {
  it('SM3: GB/T 32905-2016 Annex A', () => {
    for (const { message, digest } of vectors.sm3.cases) {
      expect(useAndDigest(message)).toBe(digest)
    }
  })

  it('SM4: GB/T 32907-2016 Annex A, one block and 1,000,000 encryptions', () => {
    const { key, plaintext, ciphertext, ciphertextAfter1000000 } = vectors.sm4
    const once = createCipheriv('sm4-ecb', hex(key), null).setAutoPadding(false)
    expect(once.update(hex(plaintext)).toString('hex')).toBe(ciphertext)
    const many = createCipheriv('sm4-ecb', hex(key), null).setAutoPadding(false)
    let block = hex(plaintext)
    for (let i = 0; i < 1_000_000; i++) block = many.update(block)
    expect(block.toString('hex')).toBe(ciphertextAfter1000000)
  })

  it('SM2: the signature example on the recommended curve, with the standard user id', () => {
    const v = vectors.sm2
    expect(v.userId).toBe(SM2_DEFAULT_USER_ID)
    // The public key is [d]G.
    const ecdh = createECDH('SM2')
    ecdh.setPrivateKey(hex(v.privateKey))
    expect(ecdh.getPublicKey('hex').toUpperCase()).toBe(`04${v.publicKeyX}${v.publicKeyY}`)
    // Z_A = SM3(ENTL ‖ ID ‖ a ‖ b ‖ xG ‖ yG ‖ xA ‖ yA), e = SM3(Z_A ‖ M).
    const curve = {
      a: 'FFFFFFFEFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF00000000FFFFFFFFFFFFFFFC',
      b: '28E9FA9E9D9F5E344D5A9E4BCF6509A7F39789F515AB8F92DDBCBD414D940E93',
      gx: '32C4AE2C1F1981195F9904466A39C9948FE30BBFF2660BE1715A4589334C74C7',
      gy: 'BC3736A2F4F6779C59BDCEE36B692153D0A9877CC62A474002DF32E52139F0A0',
      n: 'FFFFFFFEFFFFFFFFFFFFFFFFFFFFFFFF7203DF6B21C6052B53BBF40939D54123',
    }
    const id = Buffer.from(v.userId, 'utf8')
    const entl = Buffer.alloc(2)
    entl.writeUInt16BE(id.length * 8)
    const za = createHash('sm3')
      .update(
        Buffer.concat([
          entl,
          id,
          ...[curve.a, curve.b, curve.gx, curve.gy, v.publicKeyX, v.publicKeyY].map(hex),
        ]),
      )
      .digest('hex')
    expect(za.toUpperCase()).toBe(v.za)
    const e = createHash('sm3').update(hex(za)).update(v.message, 'utf8').digest('hex')
    expect(e.toUpperCase()).toBe(v.e)
    // With the published k: (x1, y1) = [k]G, r = (e + x1) mod n, s = (1 + d)⁻¹ (k − r·d) mod n.
    const kG = createECDH('SM2')
    kG.setPrivateKey(hex(v.k))
    expect(kG.getPublicKey('hex').toUpperCase()).toBe(`04${v.x1}${v.y1}`)
    const n = big(curve.n)
    const mod = (x: bigint) => ((x % n) + n) % n
    const r = mod(big(e) + big(v.x1))
    expect(r).toBe(big(v.r))
    const inverse = modInverse(mod(1n + big(v.privateKey)), n)
    expect(mod(inverse * (big(v.k) - r * big(v.privateKey)))).toBe(big(v.s))
    // And the profile's verifier accepts the published signature.
    const publicKey = sm2Sm3.publicKeyFromRaw(hex(`04${v.publicKeyX}${v.publicKeyY}`))
    const signature = hex(`${v.r}${v.s}`)
    expect(sm2Sm3.verify(Buffer.from(v.message, 'utf8'), publicKey, signature)).toBe(true)
    expect(sm2Sm3.verify(Buffer.from('message digesT', 'utf8'), publicKey, signature)).toBe(false)
  })
})

function useAndDigest(message: string): string {
  const previous = useCryptoProfile('gm')
  try {
    return cryptoProfile().digest(message).toString('hex')
  } finally {
    useCryptoProfile(previous.name)
  }
}

function modInverse(a: bigint, n: bigint): bigint {
  let [t, newT, r, newR] = [0n, 1n, n, a]
  while (newR !== 0n) {
    const q = r / newR
    ;[t, newT] = [newT, t - q * newT]
    ;[r, newR] = [newR, r - q * newR]
  }
  return t < 0n ? t + n : t
}

describe('the profiles', () => {
  const initial = cryptoProfile().name
  afterEach(() => {
    useCryptoProfile(initial)
  })

  it('international is SHA-256, Ed25519 and AES-256-GCM; gm is SM3, SM2 and SM4', () => {
    useCryptoProfile('international')
    expect([cryptoProfile().hash, cryptoProfile().signature.name, cryptoProfile().seal.name]).toEqual([
      'sha256',
      'Ed25519',
      'A256GCM',
    ])
    useCryptoProfile('gm')
    expect([cryptoProfile().hash, cryptoProfile().signature.name, cryptoProfile().seal.name]).toEqual([
      'sm3',
      'SM2',
      'SM4CBC-HSM3',
    ])
  })

  it.each([ed25519, sm2Sm3])('%s signs and verifies, keys survive raw and JWK round trips', (scheme) => {
    const { privateKey, publicKey } = scheme.generateKeyPair()
    const message = Buffer.from('checkpoint body\n')
    const signature = scheme.sign(message, privateKey)
    expect(signature.length).toBe(scheme.signatureSize)
    expect(scheme.verify(message, publicKey, signature)).toBe(true)
    expect(scheme.verify(Buffer.from('checkpoint bodY\n'), publicKey, signature)).toBe(false)
    const raw = scheme.rawPublicKey(privateKey)!
    expect(raw.length).toBe(scheme.publicKeySize)
    expect(scheme.verify(message, scheme.publicKeyFromRaw(raw), signature)).toBe(true)
    expect(scheme.verify(message, publicKeyFromJwk(scheme.publicJwk(publicKey)), signature)).toBe(true)
    expect(signatureSchemeOf(publicKey)).toBe(scheme)
  })

  it.each([aes256gcm, sm4cbcHmacSm3])('%s seals, and refuses altered bytes or data', (scheme) => {
    const key = createSecretKey(randomBytes(32))
    const aad = Buffer.from('["trec.sealed.v1"]')
    const { iv, ct } = scheme.encrypt(key, Buffer.from('张三'), aad)
    expect(iv.length).toBe(scheme.ivBytes)
    expect(ct.length).toBe(scheme.ciphertextBytes(Buffer.byteLength('张三')))
    expect(scheme.decrypt(key, iv, ct, aad).toString()).toBe('张三')
    const flipped = Buffer.from(ct)
    flipped[0]! ^= 1
    expect(() => scheme.decrypt(key, iv, flipped, aad)).toThrow()
    expect(() => scheme.decrypt(key, iv, ct, Buffer.from('other'))).toThrow()
  })
})
