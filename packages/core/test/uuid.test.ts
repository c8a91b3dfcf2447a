import { describe, expect, it } from 'vitest'
import { uuidPattern, uuidv7 } from '../src/uuid.ts'

describe('uuidv7', () => {
  it('gives RFC 9562 version-7 ids, unique across many refills of the random pool', () => {
    const ids = Array.from({ length: 20_000 }, () => uuidv7())
    expect(new Set(ids).size).toBe(ids.length)
    for (const id of ids) {
      expect(id).toMatch(uuidPattern)
      expect(id[14]).toBe('7')
      expect('89ab').toContain(id[19])
    }
  })

  it('puts the millisecond time first and keeps ids of one millisecond in order', () => {
    // Later than any id made so far: ids never go back in time within a process.
    const now = Date.now() + 86_400_000
    const ids = Array.from({ length: 1000 }, () => uuidv7(now))
    expect(ids[0]!.replaceAll('-', '').slice(0, 12)).toBe(now.toString(16).padStart(12, '0'))
    expect([...ids].sort()).toEqual(ids)
  })

  it('does not reuse random bits between ids', () => {
    const tails = new Set(Array.from({ length: 5000 }, () => uuidv7(0).slice(19)))
    expect(tails.size).toBe(5000)
  })
})
