// Checkpoint signing keys (Ed25519, or SM2 under the gm crypto profile) and the pinned set of public keys a verifier trusts.
//
// Each key has three names, one per format it appears in:
// - the note key name (C2SP signed-note; for a log key it SHOULD equal the checkpoint origin),
// - the note key ID: SHA-256(key name || 0x0A || 0x01 || 32-byte public key)[:4], C2SP
//   signed-note "Ed25519 signatures", shown as 8 hex digits; for an SM2 key
//   SM3(key name || 0x0A || 0xff || "trec/sm2-sm3" || 65-byte point)[:4] (0xff: the spec's escape
//   for types it assigns no byte),
// - the JWS `kid`: the RFC 7638 JWK thumbprint (SHA-256; SM3 for SM2 keys) of the public key.
// Which scheme a key belongs to is read off the key itself (@trec/core crypto-sign.ts), so a
// verifier takes pinned keys of either profile.
//
// Rotation (the pattern of CloudTrail's digest keys and Sigstore's trust root): every key has a
// validity window [notBefore, notAfter). A checkpoint counts as signed only by keys whose window
// contains the checkpoint's own signed timestamp, so a retired key cannot sign "new" history
// and old checkpoints stay verifiable with the key that was current when they were made. During
// an overlap both keys sign (signed notes carry any number of signature lines). Retired keys are
// never dropped from the set.

import { createHash, createPublicKey, KeyObject, type webcrypto } from 'node:crypto'
import {
  ed25519,
  jwkThumbprint,
  publicKeyFromJwk,
  type SignatureScheme,
  signatureSchemeOf,
  signatureSchemes,
  TrecError,
} from '@trec/core'
import { calculateJwkThumbprint, type JWK } from 'jose'

/** A WebCrypto key, as jose's generateKeyPair returns on Node. */
export type CryptoKey = webcrypto.CryptoKey

/** A public key someone pinned, with the window in which it may sign checkpoints. */
export interface CheckpointKey {
  /** The note key name (C2SP signed-note). */
  readonly name: string
  /** The JWS `kid`: RFC 7638 thumbprint of the public JWK. */
  readonly kid: string
  /** The note key ID, 8 lowercase hex digits. */
  readonly noteKeyId: string
  /** `<name>+<hex key ID>+<base64(0x01 || public key)>`, the note verifier key format. */
  readonly verifierKey: string
  readonly publicKey: KeyObject
  /** Ed25519 or SM2: how its signatures are checked. */
  readonly scheme: SignatureScheme
  /** First instant (inclusive) at which the key may sign. */
  readonly notBefore: Date
  /** First instant at which it may no longer sign; `undefined` while it is the current key. */
  readonly notAfter: Date | undefined
}

export interface CheckpointKeyInput {
  name: string
  /** An Ed25519 or SM2 public key: a node:crypto KeyObject, a WebCrypto/jose CryptoKey (Ed25519) or a public JWK. */
  publicKey: KeyObject | CryptoKey | JWK
  notBefore: Date
  notAfter?: Date
}

/** A published public JWK: the key, its kid, and the members our verifiers need to pin it. */
export interface PublishedJwk extends JWK {
  kid: string
  /** Note key name (a private member; RFC 7517 §4 says unknown members are ignored). */
  name: string
  /** Validity window as RFC 3339 UTC timestamps (private members, like `name`). */
  notBefore: string
  notAfter?: string
}

/** A pinned set of checkpoint keys. Verification only ever uses keys in here. */
export class KeySet {
  readonly keys: readonly CheckpointKey[]

  private constructor(keys: CheckpointKey[]) {
    this.keys = keys
  }

  static async create(inputs: readonly CheckpointKeyInput[]): Promise<KeySet> {
    const keys: CheckpointKey[] = []
    for (const [i, input] of inputs.entries()) {
      checkKeyName(input.name, ['keys', i, 'name'])
      checkWindow(input.notBefore, input.notAfter, ['keys', i])
      const publicKey = await toPublicKey(input.publicKey, ['keys', i, 'publicKey'])
      const described = await describeKey(input.name, publicKey)
      keys.push({ ...described, notBefore: input.notBefore, notAfter: input.notAfter })
    }
    const kids = new Set(keys.map((key) => key.kid))
    if (kids.size !== keys.length) {
      throw invalid(['keys'], 'duplicate_key', 'the same public key is listed twice; give it one window')
    }
    return new KeySet(keys)
  }

  /**
   * Reads a JWKS as published by {@link KeySet.toJwks}. Each key must carry `name` and
   * `notBefore`; a `kid` that is not the key's own thumbprint is refused.
   */
  static async fromJwks(jwks: { keys: readonly JWK[] }): Promise<KeySet> {
    const inputs: CheckpointKeyInput[] = []
    for (const [i, jwk] of jwks.keys.entries()) {
      const { name, notBefore, notAfter } = jwk as Partial<PublishedJwk>
      if (typeof name !== 'string') throw invalid(['keys', i, 'name'], 'required', 'name is required')
      const from = parseInstant(notBefore, ['keys', i, 'notBefore'])
      const until = notAfter === undefined ? undefined : parseInstant(notAfter, ['keys', i, 'notAfter'])
      inputs.push({ name, publicKey: jwk, notBefore: from, ...(until ? { notAfter: until } : {}) })
    }
    const set = await KeySet.create(inputs)
    for (const [i, jwk] of jwks.keys.entries()) {
      if (jwk.kid !== undefined && jwk.kid !== set.keys[i]!.kid) {
        throw invalid(['keys', i, 'kid'], 'kid_mismatch', 'kid is not the RFC 7638 thumbprint of the key')
      }
    }
    return set
  }

  byKid(kid: string): CheckpointKey | undefined {
    return this.keys.find((key) => key.kid === kid)
  }

  /** Keys matching a signature line: both the name and the key ID must match (C2SP signed-note). */
  forNoteSignature(name: string, noteKeyId: string): CheckpointKey[] {
    return this.keys.filter((key) => key.name === name && key.noteKeyId === noteKeyId)
  }

  /** The public keys as a JWKS, usable by jose's `createLocalJWKSet`, windows included. */
  toJwks(): { keys: PublishedJwk[] } {
    return {
      keys: this.keys.map((key) => ({
        ...publicJwk(key.publicKey),
        kid: key.kid,
        alg: key.scheme.jwsAlg,
        use: 'sig',
        name: key.name,
        notBefore: key.notBefore.toISOString(),
        ...(key.notAfter ? { notAfter: key.notAfter.toISOString() } : {}),
      })),
    }
  }

  /** The public keys in the note verifier key format, as Go's sumdb/note and witnesses take them. */
  toNoteVerifierKeys(): string[] {
    return this.keys.map((key) => key.verifierKey)
  }
}

/** True if `key` may sign a checkpoint made at `time` (ms since the epoch): notBefore ≤ time < notAfter. */
export function isKeyValidAt(key: CheckpointKey, time: number): boolean {
  return key.notBefore.getTime() <= time && (key.notAfter === undefined || time < key.notAfter.getTime())
}

/** A private key that signs checkpoints, with the identifiers of its public half. */
export interface CheckpointSigner {
  readonly name: string
  readonly kid: string
  readonly noteKeyId: string
  readonly verifierKey: string
  readonly publicKey: KeyObject
  readonly scheme: SignatureScheme
  readonly privateKey: KeyObject | CryptoKey
  /** The scheme's signature (Ed25519, RFC 8032; SM2, GB/T 32918.2) over the message bytes. */
  sign(message: Uint8Array): Promise<Uint8Array>
}

/**
 * Wraps an Ed25519 private key for signing. A node:crypto KeyObject gives its own public key; a
 * WebCrypto CryptoKey (what jose's generateKeyPair returns) needs `publicKey` beside it, since a
 * non-extractable private CryptoKey cannot reveal it.
 */
export async function createCheckpointSigner(options: {
  name: string
  privateKey: KeyObject | CryptoKey
  publicKey?: KeyObject | CryptoKey
}): Promise<CheckpointSigner> {
  const { name, privateKey } = options
  checkKeyName(name, ['name'])
  let publicKey: KeyObject
  let sign: (message: Uint8Array) => Promise<Uint8Array>
  if (privateKey instanceof KeyObject) {
    const scheme = privateKey.type === 'private' ? signatureSchemeOf(privateKey) : undefined
    if (scheme === undefined) {
      throw invalid(['privateKey'], 'not_ed25519', 'privateKey must be an Ed25519 or SM2 private key')
    }
    publicKey = createPublicKey(privateKey)
    sign = async (message) => scheme.sign(message, privateKey)
  } else {
    if (privateKey.type !== 'private' || privateKey.algorithm.name !== 'Ed25519') {
      throw invalid(['privateKey'], 'not_ed25519', 'privateKey must be an Ed25519 private key')
    }
    if (options.publicKey === undefined) {
      throw invalid(['publicKey'], 'required', 'a CryptoKey private key needs its public key beside it')
    }
    publicKey = await toPublicKey(options.publicKey, ['publicKey'])
    sign = async (message) => new Uint8Array(await crypto.subtle.sign('Ed25519', privateKey, message))
  }
  const described = await describeKey(name, publicKey)
  // Refuse a public key that does not belong to the private key: sign and check once.
  const probe = new TextEncoder().encode('trec checkpoint signer self-check\n')
  if (!described.scheme.verify(probe, publicKey, await sign(probe))) {
    throw invalid(['publicKey'], 'key_mismatch', 'publicKey is not the public half of privateKey')
  }
  return { ...described, privateKey, sign }
}

/** Signature type of a witness cosignature key (C2SP tlog-cosignature: timestamped Ed25519). */
export const COSIGNATURE_TYPE = 0x04

/**
 * C2SP signed-note key ID of a key (of a signature type: 0x01 Ed25519 by default, the cosignature
 * type, or SM2's), as 8 lowercase hex digits; hashed with SHA-256, or SM3 for SM2 keys.
 */
export function noteKeyId(
  name: string,
  rawPublicKey: Uint8Array,
  type: number | Uint8Array = ed25519.noteType,
  hash: 'sha256' | 'sm3' = 'sha256',
): string {
  const digest = createHash(hash)
    .update(name, 'utf8')
    .update(Uint8Array.of(0x0a))
    .update(typeof type === 'number' ? Uint8Array.of(type) : type)
    .update(rawPublicKey)
    .digest()
  return digest.subarray(0, 4).toString('hex')
}

/**
 * Reads a note verifier key `<name>+<hex key ID>+<base64(type || public key)>`, checking its ID;
 * a log's key (Ed25519, type 0x01, or SM2) unless another type is asked for (COSIGNATURE_TYPE,
 * an Ed25519 key).
 */
export function parseVerifierKey(
  verifierKey: string,
  type?: number,
): {
  name: string
  noteKeyId: string
  publicKey: KeyObject
} {
  // The base64 part may itself contain '+', so split off only the first two fields.
  const first = verifierKey.indexOf('+')
  const second = verifierKey.indexOf('+', first + 1)
  if (first <= 0 || second === -1) throw invalid(['verifierKey'], 'malformed', 'want name+keyid+key')
  const name = verifierKey.slice(0, first)
  const id = verifierKey.slice(first + 1, second)
  const material = decodeBase64Strict(verifierKey.slice(second + 1))
  checkKeyName(name, ['verifierKey', 'name'])
  if (!/^[0-9a-f]{8}$/.test(id)) throw invalid(['verifierKey', 'keyId'], 'malformed', 'want 8 hex digits')
  const kinds =
    type === undefined
      ? signatureSchemes.map((scheme) => ({ scheme, typeBytes: Buffer.from(scheme.noteType) }))
      : [{ scheme: ed25519, typeBytes: Buffer.of(type) }]
  const kind = kinds.find(
    ({ scheme, typeBytes }) =>
      material?.length === typeBytes.length + scheme.publicKeySize &&
      material.subarray(0, typeBytes.length).equals(typeBytes),
  )
  if (material === undefined || kind === undefined) {
    throw invalid(
      ['verifierKey', 'key'],
      'malformed',
      type === undefined
        ? 'want base64 of 0x01 and a 32-byte Ed25519 key, or of the SM2 type and a 65-byte point'
        : `want base64 of 0x0${type} and a 32-byte Ed25519 key`,
    )
  }
  const raw = material.subarray(kind.typeBytes.length)
  if (noteKeyId(name, raw, kind.typeBytes, kind.scheme.keyIdHash) !== id)
    throw invalid(['verifierKey', 'keyId'], 'kid_mismatch', 'key ID does not match')
  let publicKey: KeyObject
  try {
    publicKey = kind.scheme.publicKeyFromRaw(raw)
  } catch (cause) {
    throw invalid(['verifierKey', 'key'], 'malformed', String(cause))
  }
  return { name, noteKeyId: id, publicKey }
}

/** Standard base64 (RFC 4648 §4, padded) or undefined: re-encoding must give the same text. */
export function decodeBase64Strict(text: string): Buffer | undefined {
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(text) || text.length % 4 !== 0) return undefined
  const bytes = Buffer.from(text, 'base64')
  return bytes.toString('base64') === text ? bytes : undefined
}

/** C2SP signed-note: key names are non-empty, without Unicode spaces or '+'. */
function checkKeyName(name: string, path: (string | number)[]): void {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is refused
  if (name.length === 0 || /[\s+\u0000-\u001f]/u.test(name)) {
    throw invalid(path, 'bad_key_name', 'key names are non-empty, without spaces, "+" or control characters')
  }
}

function checkWindow(notBefore: Date, notAfter: Date | undefined, path: (string | number)[]): void {
  if (!(notBefore instanceof Date) || Number.isNaN(notBefore.getTime())) {
    throw invalid([...path, 'notBefore'], 'invalid_date', 'notBefore must be a valid Date')
  }
  if (notAfter !== undefined && (Number.isNaN(notAfter.getTime()) || notAfter <= notBefore)) {
    throw invalid([...path, 'notAfter'], 'invalid_window', 'notAfter must be a valid Date after notBefore')
  }
}

function parseInstant(value: unknown, path: (string | number)[]): Date {
  const date = typeof value === 'string' ? new Date(value) : undefined
  if (date === undefined || Number.isNaN(date.getTime()) || date.toISOString() !== value) {
    throw invalid(path, 'invalid_date', 'want an RFC 3339 UTC timestamp as Date.toISOString writes it')
  }
  return date
}

async function toPublicKey(
  input: KeyObject | CryptoKey | JWK,
  path: (string | number)[],
): Promise<KeyObject> {
  let key: KeyObject
  try {
    if (input instanceof KeyObject) {
      key = input.type === 'private' ? createPublicKey(input) : input
    } else if (input instanceof globalThis.CryptoKey) {
      // Public CryptoKeys are always extractable (WebCrypto), private ones are not accepted here.
      if (input.type !== 'public') throw new Error('not a public key')
      key = createPublicKey({ key: (await crypto.subtle.exportKey('jwk', input)) as JWK, format: 'jwk' })
    } else {
      if ('d' in input) throw new Error('a private JWK was given where a public key belongs')
      key = publicKeyFromJwk(input)
    }
  } catch (cause) {
    throw new TrecError('TREC_VALIDATION', 'Not a usable public key.', {
      issues: [{ path, code: 'invalid_key', message: String(cause) }],
      cause,
    })
  }
  if (key.type !== 'public' || signatureSchemeOf(key) === undefined) {
    throw invalid(path, 'not_ed25519', 'checkpoint keys are Ed25519 or SM2')
  }
  return key
}

function publicJwk(key: KeyObject): JWK {
  return { ...signatureSchemeOf(key)!.publicJwk(key) }
}

async function describeKey(
  name: string,
  publicKey: KeyObject,
): Promise<{
  name: string
  kid: string
  noteKeyId: string
  verifierKey: string
  publicKey: KeyObject
  scheme: SignatureScheme
}> {
  const scheme = signatureSchemeOf(publicKey)!
  const raw = scheme.rawPublicKey(publicKey)!
  const id = noteKeyId(name, raw, scheme.noteType, scheme.keyIdHash)
  const verifierKey = `${name}+${id}+${Buffer.concat([scheme.noteType, raw]).toString('base64')}`
  // jose's thumbprint (SHA-256 through WebCrypto) for Ed25519 keys: the same value as
  // jwkThumbprint, computed as before the gm profile.
  const jwk = scheme.publicJwk(publicKey)
  const kid =
    scheme.keyIdHash === 'sha256' ? await calculateJwkThumbprint(jwk, 'sha256') : jwkThumbprint(jwk, scheme)
  return { name, kid, noteKeyId: id, verifierKey, publicKey, scheme }
}

function invalid(path: (string | number)[], code: string, message: string): TrecError {
  return new TrecError('TREC_VALIDATION', `Invalid checkpoint key: ${message}.`, {
    issues: [{ path, code, message }],
  })
}
