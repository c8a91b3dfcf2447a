import { createPrivateKey, generateKeyPairSync, type KeyObject } from 'node:crypto'
import { isTrecError } from '@trec/core'
import { CompactSign, compactVerify, createLocalJWKSet, generateKeyPair } from 'jose'
import { describe, expect, it } from 'vitest'
import {
  CHECKPOINT_JWS_TYPE,
  type Checkpoint,
  formatCheckpoint,
  parseCheckpoint,
  signCheckpointJws,
  signCheckpointNote,
  verifyCheckpointJws,
  verifyCheckpointNote,
} from '../src/checkpoint.ts'
import { leafHash } from '../src/hash.ts'
import { type CheckpointSigner, createCheckpointSigner, KeySet, parseVerifierKey } from '../src/keys.ts'
import { signNote, verifyNote } from '../src/note.ts'

const ORIGIN = 'audit.example.gov.cn/trec-events'
const root = leafHash(new TextEncoder().encode('some root'))
const rootB64 = Buffer.from(root).toString('base64')
const T0 = Date.parse('2025-01-01T00:00:00.000Z')
const T1 = Date.parse('2026-01-01T00:00:00.000Z')

const checkpoint = (overrides: Partial<Checkpoint> = {}): Checkpoint => ({
  origin: ORIGIN,
  size: 1234,
  root,
  timestamp: T0 + 1000,
  ...overrides,
})

async function signer(name = ORIGIN): Promise<{ signer: CheckpointSigner; publicKey: KeyObject }> {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519')
  return { signer: await createCheckpointSigner({ name, privateKey }), publicKey }
}

// Log key A served until T1, key B from T1 on (an overlap is allowed but not needed here).
const a = await signer()
const b = await signer()
const pinned = await KeySet.create([
  { name: ORIGIN, publicKey: a.publicKey, notBefore: new Date(T0), notAfter: new Date(T1) },
  { name: ORIGIN, publicKey: b.publicKey, notBefore: new Date(T1) },
])
const trust = { origin: ORIGIN, keys: pinned }

/** Replaces the first occurrence of `from` by `to`, failing loudly if it is not there. */
function tamper(text: string, from: string, to: string): string {
  expect(text).toContain(from)
  return text.replace(from, to)
}

describe('the checkpoint body (C2SP tlog-checkpoint)', () => {
  it('is origin, decimal size, base64 root and our timestamp line, each ending in a newline', () => {
    expect(formatCheckpoint(checkpoint())).toBe(`${ORIGIN}\n1234\n${rootB64}\ntimestamp ${T0 + 1000}\n`)
  })

  it('reads back as the same checkpoint, extension lines included', () => {
    const written = formatCheckpoint(checkpoint({ size: 0, extensions: ['note one', 'note two'] }))
    const read = parseCheckpoint(written)
    expect({ ...read, root: Buffer.from(read.root).toString('base64') }).toEqual({
      origin: ORIGIN,
      size: 0,
      root: rootB64,
      timestamp: T0 + 1000,
      extensions: ['note one', 'note two'],
    })
    expect(formatCheckpoint(read)).toBe(written)
  })

  it.each([
    ['no final newline', `${ORIGIN}\n1\n${rootB64}\ntimestamp 1`, 'no_final_newline'],
    ['an empty origin', `\n1\n${rootB64}\ntimestamp 1\n`, 'empty_origin'],
    ['a size with a leading zero', `${ORIGIN}\n01\n${rootB64}\ntimestamp 1\n`, 'bad_size'],
    ['a negative size', `${ORIGIN}\n-1\n${rootB64}\ntimestamp 1\n`, 'bad_size'],
    ['a 31-byte root', `${ORIGIN}\n1\n${Buffer.alloc(31).toString('base64')}\ntimestamp 1\n`, 'bad_root'],
    ['unpadded base64', `${ORIGIN}\n1\n${rootB64.replace('=', '')}\ntimestamp 1\n`, 'bad_root'],
    ['a hex root', `${ORIGIN}\n1\n${Buffer.from(root).toString('hex')}\ntimestamp 1\n`, 'bad_root'],
    ['no timestamp line', `${ORIGIN}\n1\n${rootB64}\n`, 'bad_timestamp'],
    ['a timestamp in seconds with a fraction', `${ORIGIN}\n1\n${rootB64}\ntimestamp 1.5\n`, 'bad_timestamp'],
    ['an empty extension line', `${ORIGIN}\n1\n${rootB64}\ntimestamp 1\n\n`, 'empty_extension'],
    ['a tab', `${ORIGIN}\t\n1\n${rootB64}\ntimestamp 1\n`, 'control_character'],
  ])('refuses a body with %s', (_, body, code) => {
    const error = (() => {
      try {
        parseCheckpoint(body)
      } catch (e) {
        return e
      }
    })()
    expect(isTrecError(error, 'TREC_VALIDATION')).toBe(true)
    expect((error as { issues: { code: string }[] }).issues.map((issue) => issue.code)).toContain(code)
  })

  it('refuses to write a field with a newline in it, which would shift the lines after it', () => {
    expect(() => formatCheckpoint(checkpoint({ origin: `${ORIGIN}\n5` }))).toThrowError(
      /Not a valid checkpoint/,
    )
    expect(() => formatCheckpoint(checkpoint({ extensions: ['a\nb'] }))).toThrowError(
      /Not a valid checkpoint/,
    )
    expect(() => formatCheckpoint(checkpoint({ size: 1.5 }))).toThrowError(/Not a valid checkpoint/)
  })
})

describe('checkpoints as signed notes', () => {
  it('round-trips: the note is the body, a blank line and one "— name base64" line per signer', async () => {
    const note = await signCheckpointNote(checkpoint(), a.signer)
    const body = formatCheckpoint(checkpoint())
    expect(note.startsWith(`${body}\n\u2014 ${ORIGIN} `)).toBe(true)
    const blob = Buffer.from(note.trimEnd().split(' ').at(-1)!, 'base64')
    expect(blob).toHaveLength(68)
    expect(blob.subarray(0, 4).toString('hex')).toBe(a.signer.noteKeyId)

    const result = verifyCheckpointNote(note, trust)
    expect(result.ok && result.body).toBe(body)
    expect(result.ok && result.checkpoint.size).toBe(1234)
    expect(result.ok && result.signedBy.map((key) => key.kid)).toEqual([a.signer.kid])
  })

  it('detects an altered size or root (the pinned key no longer verifies)', async () => {
    const note = await signCheckpointNote(checkpoint(), a.signer)
    const otherRoot = Buffer.from(leafHash(new Uint8Array())).toString('base64')
    for (const altered of [tamper(note, '\n1234\n', '\n1235\n'), tamper(note, rootB64, otherRoot)]) {
      expect(verifyCheckpointNote(altered, trust)).toMatchObject({ ok: false, reason: 'bad-signature' })
    }
  })

  it('refuses another log’s checkpoint even when a pinned key signed it', async () => {
    const note = await signCheckpointNote(checkpoint({ origin: 'other.example/log' }), a.signer)
    expect(verifyCheckpointNote(note, trust)).toMatchObject({ ok: false, reason: 'wrong-origin' })
  })

  it('refuses a checkpoint re-signed by a key outside the pinned set, even under the log’s name', async () => {
    const foreign = await signer(ORIGIN)
    const note = await signCheckpointNote(checkpoint({ size: 9999 }), foreign.signer)
    expect(verifyCheckpointNote(note, trust)).toMatchObject({ ok: false, reason: 'no-trusted-signature' })
  })

  it('refuses a forged signature line that copies a pinned key’s name and ID', async () => {
    const foreign = await signer(ORIGIN)
    const note = await signCheckpointNote(checkpoint({ size: 9999 }), foreign.signer)
    const blob = Buffer.from(note.trimEnd().split(' ').at(-1)!, 'base64')
    Buffer.from(a.signer.noteKeyId, 'hex').copy(blob, 0)
    const forged = tamper(note, note.trimEnd().split(' ').at(-1)!, blob.toString('base64'))
    expect(verifyCheckpointNote(forged, trust)).toMatchObject({ ok: false, reason: 'bad-signature' })
  })

  it('ignores signatures of unknown keys next to a good one (witness cosignatures)', async () => {
    const witness = await signer('witness.example/w1')
    const note = await signCheckpointNote(checkpoint(), [witness.signer, a.signer])
    const result = verifyCheckpointNote(note, trust)
    expect(result.ok && result.signedBy.map((key) => key.kid)).toEqual([a.signer.kid])
  })

  it.each([
    ['no blank line before the signatures', (n: string) => n.replace('\n\n', '\n')],
    ['a signature line without the em dash', (n: string) => n.replace('\u2014 ', '- ')],
    ['a signature that is not base64', (n: string) => n.replace(/ (\S+)\n$/, ' not*base64\n')],
    ['a signature shorter than a key ID', (n: string) => n.replace(/ (\S+)\n$/, ' AAA=\n')],
    ['no final newline', (n: string) => n.slice(0, -1)],
    ['a carriage return', (n: string) => n.replace('\n1234\n', '\r\n1234\n')],
  ])('refuses a note with %s as malformed', async (_, mangle) => {
    const note = await signCheckpointNote(checkpoint(), a.signer)
    expect(verifyCheckpointNote(mangle(note), trust)).toMatchObject({ ok: false, reason: 'malformed' })
  })

  it('refuses a well-signed note whose body is not a checkpoint', async () => {
    const note = await signNote('hello\n', [a.signer])
    expect(verifyCheckpointNote(note, trust)).toMatchObject({ ok: false, reason: 'malformed' })
  })
})

describe('key rotation windows', () => {
  it('uses the key valid at the checkpoint’s timestamp', async () => {
    const before = checkpoint({ timestamp: T1 - 1 })
    const after = checkpoint({ timestamp: T1 })
    expect(verifyCheckpointNote(await signCheckpointNote(before, a.signer), trust).ok).toBe(true)
    expect(verifyCheckpointNote(await signCheckpointNote(after, b.signer), trust).ok).toBe(true)
    expect(verifyCheckpointNote(await signCheckpointNote(after, a.signer), trust)).toMatchObject({
      ok: false,
      reason: 'key-not-valid-at-time',
    })
    expect(verifyCheckpointNote(await signCheckpointNote(before, b.signer), trust)).toMatchObject({
      ok: false,
      reason: 'key-not-valid-at-time',
    })
    expect(
      verifyCheckpointNote(await signCheckpointNote(checkpoint({ timestamp: T0 - 1 }), a.signer), trust),
    ).toMatchObject({
      ok: false,
      reason: 'key-not-valid-at-time',
    })
  })

  it('accepts a checkpoint signed by both keys during a handover, crediting only the one in its window', async () => {
    const result = verifyCheckpointNote(
      await signCheckpointNote(checkpoint({ timestamp: T1 + 5 }), [a.signer, b.signer]),
      trust,
    )
    expect(result.ok && result.signedBy.map((key) => key.kid)).toEqual([b.signer.kid])
  })

  it('refuses windows that end before they start', async () => {
    const error = await KeySet.create([
      { name: ORIGIN, publicKey: a.publicKey, notBefore: new Date(T1), notAfter: new Date(T0) },
    ]).catch((e: unknown) => e)
    expect(isTrecError(error, 'TREC_VALIDATION')).toBe(true)
  })
})

describe('checkpoints as compact JWS', () => {
  it('signs the body bytes with alg EdDSA, the key’s thumbprint as kid and an explicit typ', async () => {
    const jws = await signCheckpointJws(checkpoint(), a.signer)
    const result = await verifyCheckpointJws(jws, trust)
    expect(result.ok && result.body).toBe(formatCheckpoint(checkpoint()))
    const header = JSON.parse(Buffer.from(jws.split('.')[0]!, 'base64url').toString('utf8'))
    expect(header).toEqual({ alg: 'EdDSA', kid: a.signer.kid, typ: CHECKPOINT_JWS_TYPE })
  })

  it('the exported JWKS verifies it with jose alone (compactVerify + createLocalJWKSet)', async () => {
    const jws = await signCheckpointJws(checkpoint(), b.signer)
    const jwks = createLocalJWKSet(pinned.toJwks())
    const { payload, protectedHeader } = await compactVerify(jws, jwks, { algorithms: ['EdDSA'] })
    expect(new TextDecoder().decode(payload)).toBe(formatCheckpoint(checkpoint()))
    expect(protectedHeader.kid).toBe(b.signer.kid)
  })

  it('detects an altered payload', async () => {
    const [header, , signature] = (await signCheckpointJws(checkpoint(), a.signer)).split('.')
    const altered = Buffer.from(formatCheckpoint(checkpoint({ size: 1235 }))).toString('base64url')
    expect(await verifyCheckpointJws(`${header}.${altered}.${signature}`, trust)).toMatchObject({
      ok: false,
      reason: 'bad-signature',
    })
  })

  it('refuses a foreign key, and a foreign key claiming a pinned kid', async () => {
    const foreign = await signer()
    expect(
      await verifyCheckpointJws(await signCheckpointJws(checkpoint(), foreign.signer), trust),
    ).toMatchObject({
      ok: false,
      reason: 'no-trusted-signature',
    })
    const lying = await new CompactSign(new TextEncoder().encode(formatCheckpoint(checkpoint())))
      .setProtectedHeader({ alg: 'EdDSA', kid: a.signer.kid, typ: CHECKPOINT_JWS_TYPE })
      .sign(foreign.signer.privateKey)
    expect(await verifyCheckpointJws(lying, trust)).toMatchObject({ ok: false, reason: 'bad-signature' })
  })

  it('refuses a JWS without the checkpoint typ, the wrong origin, a key outside its window, or garbage', async () => {
    const untyped = await new CompactSign(new TextEncoder().encode(formatCheckpoint(checkpoint())))
      .setProtectedHeader({ alg: 'EdDSA', kid: a.signer.kid })
      .sign(a.signer.privateKey)
    expect(await verifyCheckpointJws(untyped, trust)).toMatchObject({
      ok: false,
      reason: 'unsupported-header',
    })
    const other = await signCheckpointJws(checkpoint({ origin: 'other.example/log' }), a.signer)
    expect(await verifyCheckpointJws(other, trust)).toMatchObject({ ok: false, reason: 'wrong-origin' })
    const late = await signCheckpointJws(checkpoint({ timestamp: T1 }), a.signer)
    expect(await verifyCheckpointJws(late, trust)).toMatchObject({
      ok: false,
      reason: 'key-not-valid-at-time',
    })
    expect(await verifyCheckpointJws('not.a.jws', trust)).toMatchObject({ ok: false, reason: 'malformed' })
  })

  it('works with jose’s own (WebCrypto) keys as well as node:crypto keys', async () => {
    const { privateKey, publicKey } = await generateKeyPair('EdDSA')
    const joseSigner = await createCheckpointSigner({ name: ORIGIN, privateKey, publicKey })
    const keys = await KeySet.create([{ name: ORIGIN, publicKey, notBefore: new Date(T0) }])
    const result = await verifyCheckpointJws(await signCheckpointJws(checkpoint(), joseSigner), {
      origin: ORIGIN,
      keys,
    })
    expect(result.ok).toBe(true)
    expect(
      verifyCheckpointNote(await signCheckpointNote(checkpoint(), joseSigner), { origin: ORIGIN, keys }).ok,
    ).toBe(true)
  })

  it('refuses a public key that does not belong to the private key', async () => {
    const { privateKey } = await generateKeyPair('EdDSA')
    const { publicKey } = await generateKeyPair('EdDSA')
    const error = await createCheckpointSigner({ name: ORIGIN, privateKey, publicKey }).catch(
      (e: unknown) => e,
    )
    expect(isTrecError(error, 'TREC_VALIDATION')).toBe(true)
  })
})

describe('publishing and pinning keys', () => {
  it('the JWKS carries each key’s name and window and reads back as the same key set', async () => {
    const jwks = pinned.toJwks()
    expect(jwks.keys[0]).toMatchObject({
      kty: 'OKP',
      crv: 'Ed25519',
      kid: a.signer.kid,
      alg: 'EdDSA',
      use: 'sig',
      name: ORIGIN,
      notBefore: '2025-01-01T00:00:00.000Z',
      notAfter: '2026-01-01T00:00:00.000Z',
    })
    expect(jwks.keys[0]).not.toHaveProperty('d')
    const reread = await KeySet.fromJwks(jwks)
    expect(reread.toJwks()).toEqual(jwks)
  })

  it('refuses a JWKS entry whose kid is not the thumbprint of its key', async () => {
    const jwks = pinned.toJwks()
    jwks.keys[0]!.kid = b.signer.kid
    const error = await KeySet.fromJwks(jwks).catch((e: unknown) => e)
    expect(isTrecError(error, 'TREC_VALIDATION')).toBe(true)
  })

  it('note verifier keys are name+keyID+base64(0x01||key) and parse back to the same key', () => {
    const [first] = pinned.toNoteVerifierKeys()
    expect(first).toBe(a.signer.verifierKey)
    expect(first).toMatch(new RegExp(`^${ORIGIN.replaceAll('.', '\\.')}\\+[0-9a-f]{8}\\+A[A-Za-z0-9+/]{43}$`))
    const parsed = parseVerifierKey(first!)
    expect(parsed.noteKeyId).toBe(a.signer.noteKeyId)
    expect(parsed.publicKey.equals(a.publicKey)).toBe(true)
    expect(() =>
      parseVerifierKey(first!.replace(/\+([0-9a-f])/, (_, c) => `+${c === '0' ? '1' : '0'}`)),
    ).toThrowError()
  })
})

// The example of golang.org/x/mod/sumdb/note (note.go doc and note_test.go): a published key
// pair and signed note. Ed25519 is deterministic (RFC 8032), so signing the same text with the
// same key must give the published note byte for byte: our notes interoperate with Go tooling.
describe('interoperability with the Go signed-note example', () => {
  const goSignerKey = 'PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz'
  const goVerifierKey = 'PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW'
  const text =
    "If you think cryptography is the answer to your problem,\nthen you don't know what your problem is.\n"
  const goNote = `${text}\n\u2014 PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n`

  // The private key string is PRIVATE+KEY+name+id+base64(0x01 || 32-byte seed); wrap the seed in PKCS #8.
  const seed = Buffer.from(goSignerKey.split('+').slice(4).join('+'), 'base64').subarray(1)
  const privateKey = createPrivateKey({
    key: Buffer.concat([Buffer.from('302e020100300506032b657004220420', 'hex'), seed]),
    format: 'der',
    type: 'pkcs8',
  })

  it('derives the published verifier key and signs to the published note', async () => {
    const goSigner = await createCheckpointSigner({ name: 'PeterNeumann', privateKey })
    expect(goSigner.verifierKey).toBe(goVerifierKey)
    expect(await signNote(text, [goSigner])).toBe(goNote)
  })

  it('verifies the published note with the published verifier key, and not an altered one', async () => {
    const { name, publicKey } = parseVerifierKey(goVerifierKey)
    const keys = await KeySet.create([{ name, publicKey, notBefore: new Date(0) }])
    expect(verifyNote(goNote, keys)).toMatchObject({ ok: true, text })
    expect(verifyNote(goNote.replace('cryptography', 'cryptographY'), keys)).toMatchObject({
      ok: false,
      reason: 'bad-signature',
    })
  })
})
