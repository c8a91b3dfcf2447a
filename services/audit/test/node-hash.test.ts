import { hash } from 'node:crypto'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { sha256Of65 } from '../src/verify/node-hash.ts'

// The verifier's own SHA-256 of 65 bytes (a node hash's input) must be node:crypto's, for any bytes.

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

  it('hashes only 65 bytes', () => {
    expect(() => sha256Of65(new Uint8Array(64))).toThrow(/exactly 65 bytes/)
  })
})
