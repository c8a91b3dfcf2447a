import { utcInstant } from '@trec/core'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'

// The selection reads every event's time; its quick reading of the stored form must agree with
// Date.parse wherever it answers, and leave everything else to Date.parse.

describe('utcInstant', () => {
  it('reads every toISOString instant from year 1000 on as Date.parse does', () => {
    const min = Date.UTC(1000, 0, 1)
    fc.assert(
      fc.property(fc.integer({ min, max: Date.UTC(9999, 11, 31, 23, 59, 59, 999) }), (t) => {
        const s = new Date(t).toISOString()
        expect(utcInstant(s)).toBe(t)
        expect(Date.parse(s)).toBe(t)
      }),
      { numRuns: 5000 },
    )
  })

  it('answers only what Date.parse answers alike: out-of-range fields, other forms, no digits', () => {
    // Each field mostly in its range, else just outside it or anywhere.
    const field = (min: number, max: number) =>
      fc
        .oneof(
          { weight: 6, arbitrary: fc.integer({ min, max }) },
          { weight: 2, arbitrary: fc.constantFrom(min - 1, max + 1) },
          { weight: 1, arbitrary: fc.integer({ min: 0, max: 99 }) },
        )
        .map((n) => String(Math.max(0, n)).padStart(2, '0'))
    const year = fc.oneof(fc.integer({ min: 1000, max: 9999 }), fc.integer({ min: 0, max: 999 }))
    const zone = fc.oneof(
      fc.constant('Z'),
      fc
        .tuple(fc.constantFrom('+', '-'), field(0, 23), field(0, 59))
        .map(([sign, h, m]) => `${sign}${h}:${m}`),
    )
    const shaped = fc
      .tuple(year, field(1, 12), field(1, 31), field(0, 23), field(0, 59), field(0, 59), fc.nat(999), zone)
      .map(
        ([y, mo, d, h, mi, s, ms, z]) =>
          `${String(y).padStart(4, '0')}-${mo}-${d}T${h}:${mi}:${s}.${String(ms).padStart(3, '0')}${z}`,
      )
    const mutated = fc
      .tuple(shaped, fc.nat(28), fc.constantFrom(...'0123456789-:.TZ+ x'))
      .map(([s, i, c]) => `${s.slice(0, i)}${c}${s.slice(i + 1)}`)
    fc.assert(
      fc.property(fc.oneof(shaped, mutated, fc.string({ maxLength: 30 })), (s) => {
        const quick = utcInstant(s)
        if (quick !== undefined) expect(quick).toBe(Date.parse(s))
      }),
      { numRuns: 20_000 },
    )
  })

  it('reads an instant with an offset as Date.parse does', () => {
    expect(utcInstant('2024-04-08T08:27:00.000+08:00')).toBe(Date.parse('2024-04-08T00:27:00.000Z'))
    expect(utcInstant('2024-04-07T19:30:00.000-04:57')).toBe(Date.parse('2024-04-08T00:27:00.000Z'))
    expect(utcInstant('2024-04-08T00:27:00.000+24:00')).toBeUndefined()
  })

  it('leaves a day past its month’s end to Date.parse, so a Z instant it answers is toISOString’s text', () => {
    expect(utcInstant('2025-02-30T00:00:00.000Z')).toBeUndefined()
    expect(utcInstant('2024-02-29T00:00:00.000Z')).toBe(Date.parse('2024-02-29T00:00:00.000Z'))
    expect(utcInstant('2100-02-29T00:00:00.000Z')).toBeUndefined()
    expect(utcInstant('2025-04-31T00:00:00.000Z')).toBeUndefined()
  })
})
