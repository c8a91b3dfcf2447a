import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { containsCardNumber, findCardNumbers, looksLikeCardNumber, redactCardNumbers } from '../src/index.ts'
import { hex32, messySpelling, validCardNumber } from './arbitraries.ts'

const card = '11010519491231002X'

describe('finding card numbers in text', () => {
  it('finds a card number in a stream name', () => {
    expect(looksLikeCardNumber(`training-${card}`)).toBe(true)
    expect(looksLikeCardNumber('training-11010519491231002x')).toBe(true)
  })

  it('finds a number next to Chinese text or punctuation, full-width or split into groups', () => {
    for (const text of [
      `身份证号${card}，已核验`,
      `id=${card}&x=1`,
      '证件号：１１０１０５１９４９１２３１００２Ｘ',
      'card 110105 19491231 002X checked',
      'card 1101-0519-4912-3100-2X',
    ]) {
      expect(looksLikeCardNumber(text), text).toBe(true)
    }
  })

  it('ignores 18 characters that fail the check character, date or region', () => {
    for (const text of ['training-110105194912310021', 'n=650102198502291000', 'x 010105194912310020 y']) {
      expect(looksLikeCardNumber(text), text).toBe(false)
    }
  })

  it('does not take a number glued to Latin letters or other digits as a card number', () => {
    // The price of never mistaking hex identifiers or longer account numbers for card numbers.
    expect(looksLikeCardNumber(`ID${card}`)).toBe(false)
    expect(looksLikeCardNumber(`9${card}`)).toBe(false)
    expect(looksLikeCardNumber(`${card.slice(0, 17)}1a`)).toBe(false)
  })

  it('never takes a pseudonym-style hex string or a UUID for a card number', () => {
    fc.assert(
      fc.property(hex32, fc.uuid(), (hex, uuid) => {
        expect(looksLikeCardNumber(`training-${hex}`)).toBe(false)
        expect(looksLikeCardNumber(`event ${uuid} in class-${uuid}`)).toBe(false)
      }),
    )
  })

  it('finds every valid number embedded in text, however it is spelled', () => {
    const boundary = fc.constantFrom('', ' ', '：', '，', '号', '(', ')', '"', '=', '\n', '/')
    const text = validCardNumber.chain((number) =>
      fc.tuple(fc.constant(number), messySpelling(number), boundary, boundary, fc.string({ maxLength: 10 })),
    )
    fc.assert(
      fc.property(text, ([number, spelling, before, after, words]) => {
        const cleanWords = words.replace(/[0-9A-Za-z\uFF10-\uFF5A\s\-\u2010-\u2015\u2212]/gu, '')
        const line = `${cleanWords}${before}${spelling.trim()}${after}${cleanWords}`
        expect(looksLikeCardNumber(line)).toBe(true)
        const redacted = redactCardNumbers(line)
        expect(redacted).toContain('[card]')
        expect(redacted.replace(/[^0-9X]/g, '')).not.toContain(number.slice(0, 17))
      }),
    )
  })
})

describe('redacting card numbers', () => {
  it('replaces each valid number and leaves everything else', () => {
    expect(redactCardNumbers(`a ${card} b 110105194912310021 c 320102199003071239`)).toBe(
      'a [card] b 110105194912310021 c [card]',
    )
  })

  it('keeps a phone number joined to a card number by a hyphen', () => {
    expect(redactCardNumbers(`13800138000-${card}`)).toBe('13800138000-[card]')
  })

  it('redacts a number split into groups as one', () => {
    expect(redactCardNumbers('ID: 110105 19491231 002X.')).toBe('ID: [card].')
  })

  it('returns text without card numbers unchanged', () => {
    fc.assert(
      fc.property(fc.string(), (text) => {
        fc.pre(findCardNumbers(text).length === 0)
        expect(redactCardNumbers(text)).toBe(text)
      }),
    )
  })

  it('reports the ranges it found', () => {
    expect(findCardNumbers(`x ${card}`)).toEqual([[2, 20]])
  })
})

describe('screening typed text for card numbers (containsCardNumber)', () => {
  it('finds a valid number however it is spaced, dashed, glued to words or written full-width', () => {
    fc.assert(
      fc.property(
        validCardNumber,
        fc.string({ maxLength: 8 }),
        fc.string({ maxLength: 8 }),
        (n, before, after) => {
          const fullWidth = [...n].map((c) => String.fromCharCode(c.charCodeAt(0) + 0xfee0)).join('')
          for (const spelled of [
            n,
            `${n.slice(0, 6)} ${n.slice(6, 14)}  ${n.slice(14)}`,
            `${n.slice(0, 3)}-${n.slice(3)}`,
            fullWidth,
            `ID${n}`,
          ])
            expect(containsCardNumber(`${before}${spelled}${after}`)).toBe(true)
        },
      ),
    )
  })

  it('leaves pseudonyms, UUIDs, timestamps and a number with a wrong check character alone', () => {
    fc.assert(fc.property(hex32, (h) => !containsCardNumber(`worker ${h}`)))
    for (const text of [
      '0192f1a0-7c3e-7b11-8a55-3f0e2d1c4b5a',
      '2021-03-01T09:00:00+08:00',
      'FIN-2021-06-15-0001',
      '11010519491231002Y',
      '110105194912310021',
    ])
      expect(containsCardNumber(text), text).toBe(false)
  })
})
