import { describe, expect, it } from 'vitest'
import { chinaDay } from '../src/china-time.ts'

describe('chinaDay', () => {
  it('is the calendar day in China, whatever offset the instant was written with', () => {
    expect(chinaDay('2021-03-31T23:30:00+08:00')).toBe('2021-03-31')
    expect(chinaDay('2021-03-31T16:00:00Z')).toBe('2021-04-01')
    expect(chinaDay('2021-03-31T15:59:59.999Z')).toBe('2021-03-31')
    expect(chinaDay(Date.parse('2024-12-31T16:00:00Z'))).toBe('2025-01-01')
    expect(chinaDay(new Date('2024-06-30T12:00:00-12:00'))).toBe('2024-07-01')
  })

  it('refuses what is not an instant', () => {
    expect(() => chinaDay('31/03/2021')).toThrow(RangeError)
    expect(() => chinaDay(Number.NaN)).toThrow(RangeError)
  })
})
