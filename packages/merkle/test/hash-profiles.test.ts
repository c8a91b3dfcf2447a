import { createHash } from 'node:crypto'
import { type cryptoProfile, sm2Sm3, useCryptoProfile } from '@trec/core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  checkpointCryptoProfile,
  createCheckpointSigner,
  emptyRoot,
  KeySet,
  leafHash,
  leafHashOfText,
  nodeHash,
  parseVerifierKey,
  signCheckpointJws,
  signCheckpointNote,
  verifyCheckpointJws,
  verifyCheckpointNote,
  withCryptoProfile,
} from '../src/index.ts'

// The gm crypto profile: the same RFC 9162 tree with SM3, checkpoints signed with SM2.
const sm3 = (...parts: Uint8Array[]) => {
  const h = createHash('sm3')
  for (const part of parts) h.update(part)
  return h.digest('hex')
}
const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex')

describe('the gm profile', () => {
  let initial: ReturnType<typeof cryptoProfile>
  beforeAll(() => {
    initial = useCryptoProfile('gm')
  })
  afterAll(() => {
    useCryptoProfile(initial.name)
  })

  it('hashes leaves, nodes and the empty tree with SM3, prefixes unchanged', () => {
    const data = Buffer.from('L123456')
    expect(hex(leafHash(data))).toBe(sm3(Uint8Array.of(0), data))
    expect(hex(leafHashOfText('张三'))).toBe(sm3(Uint8Array.of(0), Buffer.from('张三')))
    const left = leafHash(Buffer.from('a'))
    const right = leafHash(Buffer.from('b'))
    expect(hex(nodeHash(left, right))).toBe(sm3(Uint8Array.of(1), left, right))
    // GB/T 32905's hash of the empty message.
    expect(hex(emptyRoot())).toBe('1ab21d8355cfa17f8e61194831e81a8f22bec8c728fefb747ed035eb5082aa2b')
  })

  it('signs checkpoints with SM2: note and JWS verify against the pinned SM2 key, and name the profile', async () => {
    const { privateKey, publicKey } = sm2Sm3.generateKeyPair()
    const origin = 'audit.example.gov.cn/trec-events'
    const signer = await createCheckpointSigner({ name: origin, privateKey })
    const keys = await KeySet.create([{ name: origin, publicKey, notBefore: new Date(0) }])
    // Published and read back as a JWKS and as note verifier keys.
    const fromJwks = await KeySet.fromJwks(JSON.parse(JSON.stringify(keys.toJwks())))
    expect(fromJwks.keys[0]!.kid).toBe(signer.kid)
    expect(keys.toJwks().keys[0]).toMatchObject({ kty: 'EC', crv: 'SM2', alg: 'SM2SM3' })
    expect(parseVerifierKey(signer.verifierKey).noteKeyId).toBe(signer.noteKeyId)

    const checkpoint = withCryptoProfile({
      origin,
      size: 1,
      root: leafHash(Buffer.from('x')),
      timestamp: 1_000,
    })
    const note = await signCheckpointNote(checkpoint, signer)
    const jws = await signCheckpointJws(checkpoint, signer)
    expect(note).toContain('\ncrypto-profile gm\n')
    expect(checkpointCryptoProfile(note)).toBe('gm')
    const trust = { origin, keys: fromJwks }
    const opened = verifyCheckpointNote(note, trust)
    expect(opened.ok).toBe(true)
    const viaJws = await verifyCheckpointJws(jws, trust)
    expect(viaJws.ok && viaJws.body).toBe(opened.ok && opened.body)

    const altered = note.replace('\n1\n', '\n2\n')
    expect(verifyCheckpointNote(altered, trust)).toMatchObject({ ok: false, reason: 'bad-signature' })
    const [h, , s] = jws.split('.')
    const forged = `${h}.${Buffer.from(altered.slice(0, altered.indexOf('\n\n') + 1)).toString('base64url')}.${s}`
    expect(await verifyCheckpointJws(forged, trust)).toMatchObject({ ok: false, reason: 'bad-signature' })
  })

  it('international checkpoints carry no profile line', () => {
    useCryptoProfile('international')
    try {
      const checkpoint = { origin: 'o', size: 0, root: emptyRoot(), timestamp: 1 }
      expect(withCryptoProfile(checkpoint)).toBe(checkpoint)
      expect(checkpointCryptoProfile('o\n0\nx\ntimestamp 1\n')).toBe('international')
    } finally {
      useCryptoProfile('gm')
    }
  })
})
