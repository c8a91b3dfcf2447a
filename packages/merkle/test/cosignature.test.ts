import { generateKeyPairSync } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { cosign, parseWitnessKey, verifyCosignatures, witnessKey } from '../src/cosignature.ts'

// Witness cosignatures (C2SP tlog-cosignature v1): the line's layout, the verifier key of type
// 0x04, counting pinned witnesses once, ignoring others, failing on an altered pinned line.

const body = 'example.org/log\n7\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\ntimestamp 1700000000000\n'
const note = `${body}\n\u2014 example.org/log AAAAAAAA\n`

describe('cosignatures', () => {
  const w1 = generateKeyPairSync('ed25519').privateKey
  const w2 = generateKeyPairSync('ed25519').privateKey
  const k1 = witnessKey('witness.example/w1', w1)
  const k2 = witnessKey('witness.example/w2', w2)

  it('writes key ID, big-endian seconds and the signature, and a verifier key of type 0x04', () => {
    const line = cosign(body, k1.name, w1, 1_679_315_147)
    const blob = Buffer.from(line.trim().split(' ')[2]!, 'base64')
    expect(blob).toHaveLength(4 + 8 + 64)
    expect(blob.subarray(0, 4).toString('hex')).toBe(k1.keyId)
    expect(blob.readBigUInt64BE(4)).toBe(1_679_315_147n)
    expect(Buffer.from(k1.verifierKey.split('+')[2]!, 'base64')[0]).toBe(0x04)
    expect(parseWitnessKey(k1.verifierKey).keyId).toBe(k1.keyId)
  })

  it('counts each pinned witness once and ignores the rest', () => {
    const cosigned = `${note}${cosign(body, k1.name, w1, 1)}${cosign(body, k1.name, w1, 2)}${cosign(body, k2.name, w2, 3)}`
    expect(verifyCosignatures(cosigned, [k1, k2])).toMatchObject({
      ok: true,
      cosignedBy: [{ time: 1 }, { time: 3 }],
    })
    expect(verifyCosignatures(cosigned, [k2])).toMatchObject({ ok: true, cosignedBy: [{ name: k2.name }] })
    expect(verifyCosignatures(note, [k1, k2])).toMatchObject({ ok: true, cosignedBy: [] })
  })

  it('fails on a pinned line over another body or time', () => {
    const other = cosign(body.replace('\n7\n', '\n8\n'), k1.name, w1, 1)
    expect(verifyCosignatures(`${note}${other}`, [k1])).toMatchObject({
      ok: false,
      reason: 'bad-cosignature',
    })
    const line = cosign(body, k1.name, w1, 5)
    const blob = Buffer.from(line.trim().split(' ')[2]!, 'base64')
    blob.writeBigUInt64BE(6n, 4)
    const moved = `\u2014 ${k1.name} ${blob.toString('base64')}\n`
    expect(verifyCosignatures(`${note}${moved}`, [k1])).toMatchObject({
      ok: false,
      reason: 'bad-cosignature',
    })
  })
})
