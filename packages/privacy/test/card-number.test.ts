import { isTrecError, TrecError } from '@trec/core'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import {
  cardNumberCheckCharacter,
  cardNumberSchema,
  normaliseCardNumber,
  validateCardNumber,
} from '../src/index.ts'
import { birthDate, checkCharacter, messySpelling, validCardNumber } from './arbitraries.ts'

const codes = (raw: string, now?: Date) => {
  const result = validateCardNumber(raw, now === undefined ? {} : { now })
  return result.ok ? [] : result.issues.map((issue) => issue.code)
}

/** Everything a caller, a log or an HTTP answer could see of a thrown error. */
function visible(error: unknown): string {
  if (!(error instanceof TrecError)) throw new Error('expected a TrecError')
  return [
    error.message,
    String(error),
    error.stack,
    JSON.stringify(error),
    JSON.stringify(error.issues),
    JSON.stringify(error.details),
  ].join('\n')
}

describe('card numbers: known examples', () => {
  it('accepts the example from GB 11643-1999 (Beijing Chaoyang, born 1949-12-31)', () => {
    expect(validateCardNumber('11010519491231002X')).toEqual({ ok: true, value: '11010519491231002X' })
  })

  it('accepts other numbers with correct check characters, including a leap day', () => {
    for (const number of ['320102199003071239', '511302200002294564', '810000199901011009']) {
      expect(validateCardNumber(number)).toEqual({ ok: true, value: number })
    }
  })

  it('computes the check character of ISO 7064 MOD 11-2', () => {
    expect(cardNumberCheckCharacter('11010519491231002')).toBe('X')
    expect(cardNumberCheckCharacter('44052418800101001')).toBe('4')
  })

  it("refuses the standard's second example only for its birth year before 1900", () => {
    expect(codes('440524188001010014')).toEqual(['invalid_birth_date'])
  })

  it('names each reason a number is refused', () => {
    expect(codes('11010519491231002')).toEqual(['wrong_length'])
    expect(codes('110105194912310021X')).toEqual(['wrong_length'])
    expect(codes('11010519491231002X1')).toEqual(['wrong_length', 'invalid_characters']) // X not last
    expect(codes('')).toEqual(['wrong_length'])
    expect(codes('1101051949123100XX')).toEqual(['invalid_characters'])
    expect(codes('11010519491231O02X')).toEqual(['invalid_characters'])
    expect(codes('11010519491231002Y')).toEqual(['invalid_characters'])
    expect(codes('110105194912310021')).toEqual(['invalid_check_digit'])
    expect(codes('650102198502291000')).toEqual(['invalid_birth_date']) // 1985 is not a leap year
    expect(codes(`01010519491231002${checkCharacter('01010519491231002')}`)).toEqual(['invalid_region'])
    expect(codes(`11010518991231002${checkCharacter('11010518991231002')}`)).toEqual(['invalid_birth_date'])
    expect(codes(`11010519491301002${checkCharacter('11010519491301002')}`)).toEqual(['invalid_birth_date'])
    expect(codes(`11010519490100002${checkCharacter('11010519490100002')}`)).toEqual(['invalid_birth_date'])
  })

  it('refuses a birth date after today in China (UTC+8)', () => {
    const first17 = '11010520300101001'
    const number = first17 + checkCharacter(first17)
    expect(codes(number, new Date('2029-12-31T15:59:59Z'))).toEqual(['invalid_birth_date'])
    expect(codes(number, new Date('2029-12-31T16:00:00Z'))).toEqual([]) // midnight in Beijing
  })

  it('puts the given path on every issue', () => {
    const result = validateCardNumber('123', { path: ['worker', 'cardNumber'] })
    expect(result.ok).toBe(false)
    if (!result.ok) expect(result.issues.map((issue) => issue.path)).toEqual([['worker', 'cardNumber']])
  })

  it('normalises full-width digits, spaces, hyphens and lower-case x', () => {
    expect(normaliseCardNumber('  １１０１０５ １９４９１２３１－００２ｘ ')).toBe('11010519491231002X')
    expect(normaliseCardNumber('110105-19491231-002x')).toBe('11010519491231002X')
  })

  it('throws TREC_INVALID_CARD_NUMBER with the reasons as issues', () => {
    let thrown: unknown
    try {
      normaliseCardNumber('110105194912310021')
    } catch (error) {
      thrown = error
    }
    expect(isTrecError(thrown, 'TREC_INVALID_CARD_NUMBER')).toBe(true)
    expect((thrown as TrecError).status).toBe(400)
    expect((thrown as TrecError).issues.map((issue) => issue.code)).toEqual(['invalid_check_digit'])
  })
})

describe('card numbers: properties', () => {
  it('accepts every number built with a correct check character', () => {
    fc.assert(
      fc.property(validCardNumber, (number) => {
        expect(validateCardNumber(number)).toEqual({ ok: true, value: number })
      }),
    )
  })

  it('refuses every number with one character changed, naming the check digit (and date or region if hit)', () => {
    const mutated = validCardNumber.chain((number) =>
      fc.tuple(fc.constant(number), fc.integer({ min: 0, max: 17 }), fc.integer({ min: 1, max: 10 })),
    )
    fc.assert(
      fc.property(mutated, ([number, position, shift]) => {
        const alphabet = position === 17 ? '0123456789X' : '0123456789'
        const original = alphabet.indexOf(number[position] ?? '')
        const replacement = alphabet[(original + shift) % alphabet.length] ?? ''
        fc.pre(replacement !== number[position])
        const changed = number.slice(0, position) + replacement + number.slice(position + 1)
        const reasons = codes(changed)
        expect(reasons).toContain('invalid_check_digit')
        for (const reason of reasons) {
          expect(['invalid_check_digit', 'invalid_birth_date', 'invalid_region']).toContain(reason)
        }
      }),
    )
  })

  it('refuses every number with two different neighbouring digits swapped', () => {
    const swapped = validCardNumber.chain((number) =>
      fc.tuple(fc.constant(number), fc.integer({ min: 0, max: 16 })),
    )
    fc.assert(
      fc.property(swapped, ([number, i]) => {
        fc.pre(number[i] !== number[i + 1])
        const changed = number.slice(0, i) + number[i + 1] + number[i] + number.slice(i + 2)
        expect(validateCardNumber(changed).ok).toBe(false)
      }),
    )
  })

  it('normalises any messy spelling of a valid number to the number', () => {
    const spelled = validCardNumber.chain((number) => fc.tuple(fc.constant(number), messySpelling(number)))
    fc.assert(
      fc.property(spelled, ([number, spelling]) => {
        expect(normaliseCardNumber(spelling)).toBe(number)
      }),
    )
  })

  it('never puts the number, its first 17 digits or its birth date into an error', () => {
    const bad = fc.tuple(validCardNumber, fc.integer({ min: 0, max: 17 }), fc.integer({ min: 1, max: 9 }))
    fc.assert(
      fc.property(bad, ([number, position, shift]) => {
        const digit = (Number(number[position] === 'X' ? 0 : number[position]) + shift) % 10
        const changed = number.slice(0, position) + digit + number.slice(position + 1)
        fc.pre(changed !== number)
        let seen = ''
        try {
          normaliseCardNumber(` ${changed.replace('X', 'x')} `)
        } catch (error) {
          seen = visible(error)
        }
        expect(seen).not.toBe('')
        for (const secret of [changed, changed.slice(0, 17), changed.slice(6, 14), number]) {
          expect(seen).not.toContain(secret)
        }
      }),
    )
  })

  it('birth dates before 1900 are refused even with a correct check character', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1000, max: 1899 }), birthDate, (year, date) => {
        const first17 = `110105${year}${date.slice(4)}001`
        expect(codes(first17 + checkCharacter(first17))).toEqual(['invalid_birth_date'])
      }),
    )
  })
})

describe('card numbers: zod schema', () => {
  const request = z.object({ cardNumber: cardNumberSchema })

  it('outputs the normalised number', () => {
    expect(request.parse({ cardNumber: '１１０１０５１９４９１２３１００２ｘ' })).toEqual({
      cardNumber: '11010519491231002X',
    })
  })

  it('reports each reason as a custom issue at the field, without the number', () => {
    const result = request.safeParse({ cardNumber: '650102198502291001' })
    expect(result.success).toBe(false)
    if (result.success) return
    expect(
      result.error.issues.map((issue) => [issue.code, issue.path, (issue as { params?: unknown }).params]),
    ).toEqual([
      ['custom', ['cardNumber'], { reason: 'invalid_birth_date' }],
      ['custom', ['cardNumber'], { reason: 'invalid_check_digit' }],
    ])
    expect(`${result.error.message}${JSON.stringify(result.error.issues)}`).not.toContain(
      '650102198502291001',
    )
  })

  it('refuses what is not a string', () => {
    expect(request.safeParse({ cardNumber: 11010519491231002 }).success).toBe(false)
  })
})
