// Witness cosignatures (C2SP tlog-cosignature, v1 with Ed25519): a witness that checked a
// checkpoint against what it saw before adds a signature line to the checkpoint's signed note:
//
//   — <witness name> base64(key ID[4] || timestamp[8, big-endian seconds] || Ed25519 signature[64])
//
// signed over "cosignature/v1\ntime <timestamp>\n" followed by the whole checkpoint body (its
// extension lines too, about which the witness states nothing). The key ID is that of signed
// notes with signature type 0x04. A verifier that requires k of its pinned witnesses counts the
// distinct witnesses whose cosignature verifies; a pinned witness's line that fails rejects the
// note, lines of other keys are ignored (as with the log's own signatures, note.ts).

import { createPublicKey, type KeyObject, sign, verify } from 'node:crypto'
import { COSIGNATURE_TYPE, noteKeyId, parseVerifierKey } from './keys.ts'
import { parseNote } from './note.ts'

export interface WitnessKey {
  readonly name: string
  /** 8 hex digits. */
  readonly keyId: string
  readonly publicKey: KeyObject
  /** `<name>+<key ID>+<base64(0x04 || public key)>`. */
  readonly verifierKey: string
}

/** A witness's key from its private key. */
export function witnessKey(name: string, privateKey: KeyObject): WitnessKey {
  const publicKey = createPublicKey(privateKey)
  const raw = Buffer.from(publicKey.export({ format: 'jwk' }).x!, 'base64url')
  const keyId = noteKeyId(name, raw, COSIGNATURE_TYPE)
  const verifierKey = `${name}+${keyId}+${Buffer.concat([Uint8Array.of(COSIGNATURE_TYPE), raw]).toString('base64')}`
  return { name, keyId, publicKey, verifierKey }
}

/** Reads a witness verifier key (type 0x04); throws TREC_VALIDATION if it is not one. */
export function parseWitnessKey(verifierKey: string): WitnessKey {
  const { name, noteKeyId: keyId, publicKey } = parseVerifierKey(verifierKey, COSIGNATURE_TYPE)
  return { name, keyId, publicKey, verifierKey }
}

function cosignedMessage(body: string, time: number): Buffer {
  return Buffer.from(`cosignature/v1\ntime ${time}\n${body}`, 'utf8')
}

/** The witness's signature line (ending in a newline) over a checkpoint body, at `time` (seconds). */
export function cosign(body: string, name: string, privateKey: KeyObject, time: number): string {
  const key = witnessKey(name, privateKey)
  const stamp = Buffer.alloc(8)
  stamp.writeBigUInt64BE(BigInt(time))
  const signature = sign(null, cosignedMessage(body, time), privateKey)
  const blob = Buffer.concat([Buffer.from(key.keyId, 'hex'), stamp, signature]).toString('base64')
  return `\u2014 ${name} ${blob}\n`
}

export type CosignatureVerification =
  | { ok: true; body: string; cosignedBy: { name: string; time: number }[] }
  | { ok: false; reason: 'malformed' | 'bad-cosignature'; message: string }

/** The pinned witnesses that cosigned a signed note (a checkpoint), each counted once. */
export function verifyCosignatures(note: string, witnesses: readonly WitnessKey[]): CosignatureVerification {
  const parsed = parseNote(note)
  if (!parsed.ok) return { ok: false, reason: 'malformed', message: 'the signed note is malformed' }
  const cosignedBy: { name: string; time: number }[] = []
  for (const { name, keyId, signature } of parsed.signatures) {
    const witness = witnesses.find((w) => w.name === name && w.keyId === keyId)
    if (!witness) continue
    const time = signature.length === 72 ? signature.readBigUInt64BE(0) : -1n
    if (
      time < 0n ||
      time >= 2n ** 63n ||
      !verify(null, cosignedMessage(parsed.text, Number(time)), witness.publicKey, signature.subarray(8))
    )
      return {
        ok: false,
        reason: 'bad-cosignature',
        message: `the cosignature of witness ${name}+${keyId} does not verify`,
      }
    if (!cosignedBy.some((c) => c.name === name)) cosignedBy.push({ name, time: Number(time) })
  }
  return { ok: true, body: parsed.text, cosignedBy }
}
