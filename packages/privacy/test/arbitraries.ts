// fast-check generators shared by the privacy tests. A valid card number is built the way
// GB 11643-1999 builds one: region code, birth date, sequence code, then the check character
// computed here independently of the code under test.
import fc from 'fast-check'

const weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]

export function checkCharacter(first17: string): string {
  const sum = [...first17].reduce((acc, digit, i) => acc + Number(digit) * (weights[i] ?? 0), 0)
  return '10X98765432'[sum % 11] ?? '?'
}

const pad = (n: number, width: number) => String(n).padStart(width, '0')

/** Birth dates from 1900-01-01 to two days ago (clear of any time-zone edge). */
export const birthDate = fc
  .date({
    min: new Date('1900-01-01T00:00:00Z'),
    max: new Date(Date.now() - 2 * 86_400_000),
    noInvalidDate: true,
  })
  .map((d) => `${pad(d.getUTCFullYear(), 4)}${pad(d.getUTCMonth() + 1, 2)}${pad(d.getUTCDate(), 2)}`)

export const validCardNumber = fc
  .tuple(fc.integer({ min: 100_000, max: 999_999 }), birthDate, fc.integer({ min: 0, max: 999 }))
  .map(([region, date, sequence]) => {
    const first17 = `${region}${date}${pad(sequence, 3)}`
    return first17 + checkCharacter(first17)
  })

/** The same number as people may type it: full-width characters, spaces or hyphens between any two characters, lower-case x. */
export function messySpelling(cardNumber: string) {
  return fc
    .tuple(
      fc.array(fc.boolean(), { minLength: 18, maxLength: 18 }),
      fc.array(fc.constantFrom('', '', ' ', '-', '\u3000', '\uFF0D', '\u2010'), {
        minLength: 18,
        maxLength: 18,
      }),
      fc.constantFrom('', ' ', '\t', '\u3000'),
      fc.constantFrom('', ' ', '\n'),
    )
    .map(([wide, gaps, before, after]) => {
      const chars = [...cardNumber.replace('X', 'x')].map((ch, i) =>
        wide[i] ? String.fromCharCode(ch.charCodeAt(0) + 0xfee0) : ch,
      )
      return before + chars.map((ch, i) => (i === 0 ? ch : (gaps[i] ?? '') + ch)).join('') + after
    })
}

export const hex32 = fc
  .uint8Array({ minLength: 16, maxLength: 16 })
  .map((bytes) => Buffer.from(bytes).toString('hex'))
