import { hash } from 'node:crypto'
import { useCryptoProfile } from '@trec/core'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { nodeHash } from '../src/hash.ts'
import { sha256Of65 } from '../src/sha256-65.ts'

// Published SHA-256 figures: these tests are of the international profile, whichever profile the
// suite runs under (TREC_CRYPTO_PROFILE=gm); the gm tree is checked in hash-profiles.test.ts.
useCryptoProfile('international')

// The SHA-256 of 65 bytes (a node hash's input) must be node:crypto's, for any bytes; so must
// nodeHash, which uses it for two 32-byte hashes.

describe('sha256Of65', () => {
  it("equals node:crypto's SHA-256 on any 65 bytes", () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 65, maxLength: 65 }), (input) => {
        expect(sha256Of65(input)).toEqual(hash('sha256', input, 'buffer'))
      }),
      { numRuns: 20_000 },
    )
    for (const fill of [0x00, 0x01, 0x80, 0xff]) {
      const input = new Uint8Array(65).fill(fill)
      expect(sha256Of65(input)).toEqual(hash('sha256', input, 'buffer'))
    }
  })

  it('gives nodeHash the node hash of node:crypto for any two hashes', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 32, maxLength: 32 }),
        fc.uint8Array({ minLength: 32, maxLength: 32 }),
        (left, right) => {
          const expected = hash('sha256', Buffer.concat([Uint8Array.of(1), left, right]), 'buffer')
          expect(Buffer.from(nodeHash(left, right))).toEqual(expected)
        },
      ),
      { numRuns: 2000 },
    )
  })

  it('hashes only 65 bytes', () => {
    expect(() => sha256Of65(new Uint8Array(64))).toThrow(/exactly 65 bytes/)
  })
})
