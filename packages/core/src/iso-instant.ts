// Instants as events store them, read without the general date parser (per-event hot paths).

const digitsAt = (s: string, from: number, to: number): number => {
  let n = 0
  for (let i = from; i < to; i++) {
    const d = s.charCodeAt(i) - 0x30
    if (d < 0 || d > 9) return -1
    n = n * 10 + d
  }
  return n
}

const daysIn = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]

/**
 * `Date.parse` of the forms stored events' times have, `YYYY-MM-DDTHH:MM:SS.sssZ` or with an
 * offset, `…sss+08:00` (devices report their own), with every field in its range (the day in its
 * month's), read without the general parser (the notary, the verifier and compliance read one
 * per event); undefined for anything else, which `Date.parse` then reads. A `…Z` text it answers
 * for is exactly what `toISOString` writes for the answer.
 */
export function utcInstant(s: string): number | undefined {
  let offset = 0
  if (s.length === 29) {
    const sign = s[23] === '+' ? 1 : s[23] === '-' ? -1 : 0
    const hours = digitsAt(s, 24, 26)
    const minutes = digitsAt(s, 27, 29)
    if (sign === 0 || s[26] !== ':' || hours < 0 || hours > 23 || minutes < 0 || minutes > 59)
      return undefined
    offset = sign * (hours * 60 + minutes) * 60_000
  } else if (s.length !== 24 || s[23] !== 'Z') return undefined
  if (s[4] !== '-' || s[7] !== '-' || s[10] !== 'T' || s[13] !== ':' || s[16] !== ':' || s[19] !== '.')
    return undefined
  const year = digitsAt(s, 0, 4)
  const month = digitsAt(s, 5, 7)
  const day = digitsAt(s, 8, 10)
  const hour = digitsAt(s, 11, 13)
  const minute = digitsAt(s, 14, 16)
  const second = digitsAt(s, 17, 19)
  const ms = digitsAt(s, 20, 23)
  if (year < 1000 || month < 1 || month > 12 || day < 1) return undefined
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0)
  if (day > (month === 2 && leap ? 29 : daysIn[month - 1]!)) return undefined
  if (hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 59 || ms < 0)
    return undefined
  return Date.UTC(year, month - 1, day, hour, minute, second, ms) - offset
}
