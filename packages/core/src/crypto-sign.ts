// The two signature schemes of the crypto profiles (crypto-profile.ts): Ed25519 (RFC 8032) and
// SM2 (GB/T 32918.2) with SM3 and the standard user id.
//
// SM2 through sm-crypto-v2 and not node:crypto: OpenSSL (3.0 in Node 20, 3.5 in Node 24) has
// SM2 and SM3, but Node gives no way to set the SM2 distinguishing identifier, so its SM2
// signatures hash Z_A over an empty id instead of the standard "1234567812345678" (GM/T 0009 /
// GB/T 35276 §5.4) that other SM2 tools (OpenSSL's `-sigopt distid:`, GmSSL, HSMs) use by
// default. Keys stay node:crypto KeyObjects (EC keys on the SM2 curve, PKCS#8 / SPKI), so a
// deployment stores and loads them as it does its Ed25519 keys.

import { createPublicKey, generateKeyPairSync, hash, type KeyObject, sign, verify } from 'node:crypto'
import { sm2 } from 'sm-crypto-v2'

/** The SM2 signer's distinguishing identifier, the default of GM/T 0009 (GB/T 35276). */
export const SM2_DEFAULT_USER_ID = '1234567812345678'

/** A public key as a JWK, only the members that identify it (RFC 7638 §3.2). */
export interface PublicJwkMembers {
  kty: string
  crv: string
  x: string
  y?: string
}

export interface SignatureScheme {
  readonly name: 'Ed25519' | 'SM2'
  /** JOSE `alg` of a checkpoint JWS. `SM2SM3` is ours: JOSE registers no SM2 algorithm. */
  readonly jwsAlg: 'EdDSA' | 'SM2SM3'
  /**
   * C2SP signed-note signature type: 0x01 for Ed25519; for SM2, which the spec assigns no byte,
   * its escape 0xff followed by a longer identifier, `trec/sm2-sm3`.
   */
  readonly noteType: Uint8Array
  /** Bytes of the raw public key (32 for Ed25519; 65, 0x04 ‖ x ‖ y, for SM2). */
  readonly publicKeySize: number
  /** Bytes of a signature (64 for both: R ‖ S, r ‖ s). */
  readonly signatureSize: number
  /**
   * The hash of the key's identifiers: note key IDs and RFC 7638 thumbprints. SHA-256 for
   * Ed25519, as C2SP and RFC 7638 have it; SM3 for SM2, so a gm deployment hashes with SM3 only.
   */
  readonly keyIdHash: 'sha256' | 'sm3'
  generateKeyPair(): { privateKey: KeyObject; publicKey: KeyObject }
  /** The raw public key of a public or private KeyObject of this scheme, or undefined if it is not one. */
  rawPublicKey(key: KeyObject): Buffer | undefined
  publicKeyFromRaw(raw: Uint8Array): KeyObject
  publicJwk(publicKey: KeyObject): PublicJwkMembers
  sign(message: Uint8Array, privateKey: KeyObject): Buffer
  verify(message: Uint8Array, publicKey: KeyObject, signature: Uint8Array): boolean
}

export const ed25519: SignatureScheme = {
  name: 'Ed25519',
  jwsAlg: 'EdDSA',
  noteType: Uint8Array.of(0x01),
  publicKeySize: 32,
  signatureSize: 64,
  keyIdHash: 'sha256',
  generateKeyPair: () => generateKeyPairSync('ed25519'),
  rawPublicKey(key) {
    if (key.asymmetricKeyType !== 'ed25519') return undefined
    const publicKey = key.type === 'private' ? createPublicKey(key) : key
    return Buffer.from(publicKey.export({ format: 'jwk' }).x!, 'base64url')
  },
  publicKeyFromRaw: (raw) =>
    createPublicKey({
      key: { kty: 'OKP', crv: 'Ed25519', x: Buffer.from(raw).toString('base64url') },
      format: 'jwk',
    }),
  publicJwk(publicKey) {
    const { kty, crv, x } = publicKey.export({ format: 'jwk' })
    return { kty: kty!, crv: crv!, x: x! }
  },
  sign: (message, privateKey) => sign(null, message, privateKey),
  verify: (message, publicKey, signature) => verify(null, message, publicKey, signature),
}

// SubjectPublicKeyInfo of an SM2 key: id-ecPublicKey with the SM2 curve (1.2.156.10197.1.301),
// then the uncompressed point.
const sm2SpkiPrefix = Buffer.from('3059301306072a8648ce3d020106082a811ccf5501822d034200', 'hex')
const sm2PointSize = 65
// Inside the PKCS#8 of an EC key, the SEC 1 ECPrivateKey: version 1, then the 32-byte scalar.
const ecPrivateKeyStart = Buffer.from('0201010420', 'hex')
const privateHex = new WeakMap<KeyObject, { d: string; publicKey: string }>()

function sm2Point(key: KeyObject): Buffer | undefined {
  if (key.asymmetricKeyType !== undefined && key.asymmetricKeyType !== 'ec') return undefined
  if (key.asymmetricKeyType === 'ec' && key.asymmetricKeyDetails?.namedCurve !== 'SM2') return undefined
  const publicKey = key.type === 'private' ? createPublicKey(key) : key
  const spki = publicKey.export({ format: 'der', type: 'spki' })
  if (spki.length !== sm2SpkiPrefix.length + sm2PointSize) return undefined
  if (!spki.subarray(0, sm2SpkiPrefix.length).equals(sm2SpkiPrefix)) return undefined
  return spki.subarray(sm2SpkiPrefix.length)
}

function sm2PrivateHex(privateKey: KeyObject): { d: string; publicKey: string } {
  const cached = privateHex.get(privateKey)
  if (cached) return cached
  const point = sm2Point(privateKey)
  const der = privateKey.type === 'private' ? privateKey.export({ format: 'der', type: 'pkcs8' }) : undefined
  const at = der?.indexOf(ecPrivateKeyStart) ?? -1
  if (point === undefined || der === undefined || at === -1) throw new TypeError('not an SM2 private key')
  const start = at + ecPrivateKeyStart.length
  const hex = { d: der.subarray(start, start + 32).toString('hex'), publicKey: point.toString('hex') }
  der.fill(0)
  privateHex.set(privateKey, hex)
  return hex
}

export const sm2Sm3: SignatureScheme = {
  name: 'SM2',
  jwsAlg: 'SM2SM3',
  noteType: Buffer.concat([Uint8Array.of(0xff), Buffer.from('trec/sm2-sm3', 'utf8')]),
  publicKeySize: sm2PointSize,
  signatureSize: 64,
  keyIdHash: 'sm3',
  generateKeyPair: () => generateKeyPairSync('ec', { namedCurve: 'SM2' }),
  rawPublicKey: sm2Point,
  publicKeyFromRaw(raw) {
    if (raw.length !== sm2PointSize || raw[0] !== 0x04)
      throw new TypeError('want a 65-byte uncompressed SM2 point')
    const key = createPublicKey({ key: Buffer.concat([sm2SpkiPrefix, raw]), format: 'der', type: 'spki' })
    if (!sm2.verifyPublicKey(Buffer.from(raw).toString('hex')))
      throw new TypeError('not a point of the SM2 curve')
    return key
  },
  publicJwk(publicKey) {
    const point = sm2Point(publicKey)
    if (!point) throw new TypeError('not an SM2 public key')
    return {
      kty: 'EC',
      crv: 'SM2',
      x: point.subarray(1, 33).toString('base64url'),
      y: point.subarray(33).toString('base64url'),
    }
  },
  sign(message, privateKey) {
    const { d, publicKey } = sm2PrivateHex(privateKey)
    const signature = sm2.doSignature(message, d, {
      hash: true,
      der: false,
      publicKey,
      userId: SM2_DEFAULT_USER_ID,
    })
    return Buffer.from(signature, 'hex')
  },
  verify(message, publicKey, signature) {
    const point = sm2Point(publicKey)
    if (!point || signature.length !== 64) return false
    try {
      return sm2.doVerifySignature(message, Buffer.from(signature).toString('hex'), point.toString('hex'), {
        hash: true,
        der: false,
        userId: SM2_DEFAULT_USER_ID,
      })
    } catch {
      return false
    }
  },
}

/** RFC 7638 thumbprint of a public JWK (its required members, sorted) with the scheme's key-id hash. */
export function jwkThumbprint(jwk: PublicJwkMembers, scheme: SignatureScheme): string {
  const members =
    jwk.y === undefined
      ? { crv: jwk.crv, kty: jwk.kty, x: jwk.x }
      : { crv: jwk.crv, kty: jwk.kty, x: jwk.x, y: jwk.y }
  return hash(scheme.keyIdHash, JSON.stringify(members), 'base64url')
}

/** Every scheme, so a verifier can take a pinned key of either profile. */
export const signatureSchemes: readonly SignatureScheme[] = [ed25519, sm2Sm3]

/** The scheme a key belongs to, or undefined. */
export function signatureSchemeOf(key: KeyObject): SignatureScheme | undefined {
  return signatureSchemes.find((scheme) => scheme.rawPublicKey(key) !== undefined)
}

/** The scheme of a public JWK (`OKP`/`Ed25519` or `EC`/`SM2`), or undefined. */
export function signatureSchemeOfJwk(jwk: { kty?: unknown; crv?: unknown }): SignatureScheme | undefined {
  if (jwk.kty === 'OKP' && jwk.crv === 'Ed25519') return ed25519
  if (jwk.kty === 'EC' && jwk.crv === 'SM2') return sm2Sm3
  return undefined
}

/** A public key from its JWK (Ed25519 or SM2); throws TypeError if it is neither. */
export function publicKeyFromJwk(jwk: { kty?: unknown; crv?: unknown; x?: unknown; y?: unknown }): KeyObject {
  const scheme = signatureSchemeOfJwk(jwk)
  if (scheme === undefined) throw new TypeError('not an Ed25519 or SM2 public JWK')
  if (typeof jwk.x !== 'string' || (scheme === sm2Sm3 && typeof jwk.y !== 'string'))
    throw new TypeError('the JWK lacks its coordinates')
  const raw =
    scheme === ed25519
      ? Buffer.from(jwk.x, 'base64url')
      : Buffer.concat([
          Uint8Array.of(4),
          Buffer.from(jwk.x, 'base64url'),
          Buffer.from(jwk.y as string, 'base64url'),
        ])
  return scheme.publicKeyFromRaw(raw)
}
