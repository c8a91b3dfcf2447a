import { generateKeyPairSync, type KeyObject, sign } from 'node:crypto'

// A face-check terminal: its own Ed25519 key pair, the public half registered to its class, and
// batches signed as compact JWS (EdDSA, the device id as `kid`), as a real terminal uploads them.

export interface Device {
  id: string
  publicJwk: { kty: string; crv: string; x: string }
  sign(payload: unknown): string
}

const b64 = (data: Buffer | string) => Buffer.from(data).toString('base64url')

export function newDevice(id: string): Device {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519')
  const jwk = publicKey.export({ format: 'jwk' }) as { kty: string; crv: string; x: string }
  return { id, publicJwk: { kty: jwk.kty, crv: jwk.crv, x: jwk.x }, sign: (p) => signed(p, id, privateKey) }
}

function signed(payload: unknown, kid: string, key: KeyObject): string {
  const input = `${b64(JSON.stringify({ alg: 'EdDSA', kid }))}.${b64(JSON.stringify(payload))}`
  return `${input}.${b64(sign(null, Buffer.from(input), key))}`
}
