import { useCryptoProfile } from '@trec/core'
import { describe, expect, it } from 'vitest'
import { emptyRoot, leafHash, leafHashOfText, nodeHash } from '../src/hash.ts'

// Published SHA-256 figures: these tests are of the international profile, whichever profile the
// suite runs under (TREC_CRYPTO_PROFILE=gm); the gm tree is checked in hash-profiles.test.ts.
useCryptoProfile('international')

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex')
const text = (s: string) => new TextEncoder().encode(s)

// Hasher vectors of transparency-dev/merkle rfc6962/rfc6962_test.go (published figures).
describe('RFC 9162 §2.1.1 hashes', () => {
  it('the empty tree hashes to SHA-256 of the empty string', () => {
    expect(hex(emptyRoot())).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855')
  })

  it('an empty leaf is SHA-256(0x00), which is not the empty tree', () => {
    expect(hex(leafHash(new Uint8Array()))).toBe(
      '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d',
    )
  })

  it('a leaf is SHA-256(0x00 || data)', () => {
    expect(hex(leafHash(text('L123456')))).toBe(
      '395aa064aa4c29f7010acfe3f25db9485bbd4b91897b6ad7ad547639252b4d56',
    )
  })

  it('a leaf given as text is hashed over its UTF-8 bytes', () => {
    expect(hex(leafHashOfText('L123456'))).toBe(
      '395aa064aa4c29f7010acfe3f25db9485bbd4b91897b6ad7ad547639252b4d56',
    )
    expect(hex(leafHashOfText(''))).toBe(hex(leafHash(new Uint8Array())))
    for (const s of [
      '培训记录 {"k":"\\u0000"}',
      '\u0000 leading NUL',
      '🚀 outside the BMP',
      'é'.repeat(5000),
    ])
      expect(hex(leafHashOfText(s))).toBe(hex(leafHash(text(s))))
  })

  it('a node is SHA-256(0x01 || left || right)', () => {
    expect(hex(nodeHash(text('N123'), text('N456')))).toBe(
      'aa217fe888e47007fa15edab33c2b492a722cb106c64667fc2b044444de66bbb',
    )
  })

  it('a node can not pass for the leaf of its children concatenated, nor for its mirror', () => {
    const left = leafHash(text('Hello'))
    const right = leafHash(text('World'))
    const node = hex(nodeHash(left, right))
    expect(node).not.toBe(hex(leafHash(Buffer.concat([left, right]))))
    expect(node).not.toBe(hex(nodeHash(right, left)))
  })

  it('every call gives a fresh empty root, so a caller cannot corrupt it for others', () => {
    const first = emptyRoot()
    first.fill(0)
    expect(hex(emptyRoot())).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855')
  })
})
