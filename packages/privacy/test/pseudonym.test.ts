import { isTrecError } from '@trec/core'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { createPseudonymizer, pseudonymPattern } from '../src/index.ts'
import { messySpelling, validCardNumber } from './arbitraries.ts'

const secret = 'trec-test-secret-0123456789abcdef'
const secretBytes = fc.uint8Array({ minLength: 32, maxLength: 64 })

describe('worker pseudonyms', () => {
  it('is the first 16 bytes of HMAC-SHA256(secret, normalised number), as lowercase hex', () => {
    // Known answer computed outside this code base: `printf '11010519491231002X' | openssl dgst -sha256 -hmac <secret>`.
    expect(createPseudonymizer(secret).pseudonym('11010519491231002x')).toBe(
      '4bf877304a8875fac75e24f422e14767',
    )
  })

  it('is the same for every spelling of the same number under the same secret', () => {
    const spelled = validCardNumber.chain((number) => fc.tuple(fc.constant(number), messySpelling(number)))
    const pseudonymizer = createPseudonymizer(secret)
    fc.assert(
      fc.property(spelled, ([number, spelling]) => {
        const pseudonym = pseudonymizer.pseudonym(number)
        expect(pseudonym).toMatch(pseudonymPattern)
        expect(pseudonymizer.pseudonym(spelling)).toBe(pseudonym)
        expect(createPseudonymizer(secret).pseudonym(number)).toBe(pseudonym)
      }),
    )
  })

  it('differs between secrets', () => {
    fc.assert(
      fc.property(secretBytes, secretBytes, validCardNumber, (a, b, number) => {
        fc.pre(!Buffer.from(a).equals(Buffer.from(b)))
        expect(createPseudonymizer(a).pseudonym(number)).not.toBe(createPseudonymizer(b).pseudonym(number))
      }),
      { numRuns: 50 },
    )
  })

  it('differs between numbers', () => {
    const pseudonymizer = createPseudonymizer(secret)
    fc.assert(
      fc.property(validCardNumber, validCardNumber, (a, b) => {
        fc.pre(a !== b)
        expect(pseudonymizer.pseudonym(a)).not.toBe(pseudonymizer.pseudonym(b))
      }),
    )
  })

  it('does not contain the number or its birth date', () => {
    const pseudonymizer = createPseudonymizer(secret)
    fc.assert(
      fc.property(validCardNumber, (number) => {
        expect(pseudonymizer.pseudonym(number)).not.toContain(number.slice(6, 14))
      }),
    )
  })

  it('refuses a secret shorter than 32 bytes', () => {
    expect(() => createPseudonymizer(new Uint8Array(31))).toThrow(RangeError)
    expect(() => createPseudonymizer('x'.repeat(31))).toThrow(RangeError)
    expect(() => createPseudonymizer(new Uint8Array(32))).not.toThrow()
  })

  it('keeps its own copy of the secret', () => {
    const bytes = new Uint8Array(32).fill(7)
    const pseudonymizer = createPseudonymizer(bytes)
    const before = pseudonymizer.pseudonym('11010519491231002X')
    bytes.fill(0)
    expect(pseudonymizer.pseudonym('11010519491231002X')).toBe(before)
  })

  it('refuses an invalid number with TREC_INVALID_CARD_NUMBER', () => {
    let thrown: unknown
    try {
      createPseudonymizer(secret).pseudonym('110105194912310021')
    } catch (error) {
      thrown = error
    }
    expect(isTrecError(thrown, 'TREC_INVALID_CARD_NUMBER')).toBe(true)
  })
})
