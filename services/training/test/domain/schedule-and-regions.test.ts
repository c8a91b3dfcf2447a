import { regionCovers } from '@trec/contracts'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { regionChain } from '../../src/domain/regions.ts'
import { overlapsWithin, slotsOverlap, type TimeSlot } from '../../src/domain/schedule.ts'
import { chinaDate } from '../../src/domain/time.ts'

const base = Date.UTC(2024, 3, 8)
const slot = fc.tuple(fc.integer({ min: 0, max: 48 }), fc.integer({ min: 1, max: 12 })).map(
  ([from, length]): TimeSlot => ({
    start: new Date(base + from * 1_800_000).toISOString(),
    end: new Date(base + (from + length) * 1_800_000).toISOString(),
  }),
)

describe('overlapping sessions', () => {
  it('finds exactly the pairs that a comparison of every pair finds', () => {
    fc.assert(
      fc.property(fc.array(slot, { maxLength: 12 }), (slots) => {
        const expected: [number, number][] = []
        for (let i = 0; i < slots.length; i++)
          for (let j = i + 1; j < slots.length; j++)
            if (slotsOverlap(slots[i]!, slots[j]!)) expected.push([i, j])
        expect(overlapsWithin(slots)).toEqual(expected)
      }),
    )
  })

  it('is symmetric, and sessions that only touch do not overlap', () => {
    fc.assert(fc.property(slot, slot, (a, b) => slotsOverlap(a, b) === slotsOverlap(b, a)))
    const morning = { start: '2024-04-08T08:00:00+08:00', end: '2024-04-08T11:00:00+08:00' }
    expect(slotsOverlap(morning, { start: '2024-04-08T03:00:00Z', end: '2024-04-08T04:00:00Z' })).toBe(false)
    expect(slotsOverlap(morning, { start: '2024-04-08T02:59:00Z', end: '2024-04-08T04:00:00Z' })).toBe(true)
  })
})

describe('regions (GB/T 2260) and dates', () => {
  it('lets a province cover its cities and counties, a city its counties, a county only itself', () => {
    expect(regionCovers('130000', '130102')).toBe(true)
    expect(regionCovers('130100', '130102')).toBe(true)
    expect(regionCovers('130100', '130200')).toBe(false)
    expect(regionCovers('130102', '130102')).toBe(true)
    expect(regionCovers('130102', '130100')).toBe(false)
    expect(regionChain('130102')).toEqual(['130102', '130100', '130000'])
    expect(regionChain('130100')).toEqual(['130100', '130000'])
    expect(regionChain('110000')).toEqual(['110000'])
  })

  it('dates an instant in UTC+8', () => {
    expect(chinaDate('2024-04-07T16:00:00Z')).toBe('2024-04-08')
    expect(chinaDate('2024-04-07T15:59:59Z')).toBe('2024-04-07')
    expect(chinaDate('2024-04-08T00:30:00+08:00')).toBe('2024-04-08')
  })
})
