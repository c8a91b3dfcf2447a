import { randomUUID } from 'node:crypto'
import { uuidPattern } from '@trec/core'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { eventIdWords, UuidSet, uuidText, uuidWords } from '../src/verify/uuid-set.ts'

// The verifier's set of event ids (16 bytes a UUID, off the JavaScript heap) must answer as a
// JavaScript Set of the same strings would, through every growth of its table.

describe('UuidSet', () => {
  it('answers add and has as a Set of the strings does, repeats and growth included', () => {
    fc.assert(
      fc.property(
        fc.array(fc.uuid(), { minLength: 1, maxLength: 40 }),
        fc.array(fc.nat(), { maxLength: 3000 }),
        (pool, picks) => {
          const ids = new UuidSet(16)
          const expected = new Set<string>()
          const words = new Uint32Array(8)
          for (const [n, p] of picks.entries()) {
            const id = pool[p % pool.length]!
            // Half of them as the words a verifying thread sends (`addWords`), at either slot.
            const at = 4 * (p % 2)
            expect(uuidWords(id, words, at)).toBe(true)
            expect(uuidText(words, at)).toBe(id)
            expect(n % 2 === 0 ? ids.add(id) : ids.addWords(words, at)).toBe(!expected.has(id))
            expected.add(id)
          }
          for (const id of pool) expect(ids.has(id)).toBe(expected.has(id))
          expect(ids.size).toBe(expected.size)
        },
      ),
      { numRuns: 200 },
    )
  })

  it('takes for an event id exactly what uuidPattern takes', () => {
    // A UUID of any version and variant with one character changed, most often the version's or
    // the variant's.
    const char = fc.constantFrom(...'0123456789abcdefABx-')
    const at = fc.oneof(fc.constantFrom(14, 19), fc.nat(35))
    const nearly = fc
      .tuple(fc.uuid(), at, char)
      .map(([id, i, c]) => `${id.slice(0, i)}${c}${id.slice(i + 1)}`)
    let valid = 0
    fc.assert(
      fc.property(fc.oneof(nearly, fc.uuid(), fc.string({ maxLength: 40 })), (id) => {
        if (uuidPattern.test(id)) valid += 1
        expect(eventIdWords(id, new Uint32Array(4), 0)).toBe(uuidPattern.test(id))
      }),
      { numRuns: 5000 },
    )
    expect(valid).toBeGreaterThan(500)
  })

  it('holds 300,000 random ids through many doublings, and none it was not given', () => {
    const ids = new UuidSet(16)
    const given = Array.from({ length: 300_000 }, () => randomUUID())
    for (const id of given) expect(ids.add(id)).toBe(true)
    expect(ids.size).toBe(300_000)
    for (const id of given) if (!ids.has(id)) expect.fail(`lost ${id}`)
    for (let i = 0; i < 10_000; i++) if (ids.has(randomUUID())) expect.fail('holds an id never added')
    for (const id of given.slice(0, 1000)) expect(ids.add(id)).toBe(false)
  })

  it('tells ids apart that differ in one hex digit anywhere', () => {
    const base = '0f1e2d3c-4b5a-4978-8a6b-5c4d3e2f1a0b'
    const ids = new UuidSet()
    ids.add(base)
    for (let i = 0; i < base.length; i++) {
      if (base[i] === '-') continue
      const other = `${base.slice(0, i)}${base[i] === '0' ? '1' : '0'}${base.slice(i + 1)}`
      expect(ids.has(other)).toBe(false)
      expect(ids.add(other)).toBe(true)
    }
  })

  it('keeps the nil UUID, whose bytes mark an empty slot, apart', () => {
    const ids = new UuidSet()
    const nil = '00000000-0000-0000-0000-000000000000'
    expect(ids.has(nil)).toBe(false)
    expect(ids.add(nil)).toBe(true)
    expect(ids.add(nil)).toBe(false)
    expect(ids.has(nil)).toBe(true)
    expect(ids.size).toBe(1)
  })

  it('holds nothing but lowercase UUIDs: has() is false and add() throws for anything else', () => {
    const ids = new UuidSet()
    const id = randomUUID()
    ids.add(id)
    for (const bad of [
      id.toUpperCase(),
      id.replaceAll('-', ''),
      `${id}0`,
      id.slice(1),
      id.replace('-', 'x'),
      `${id.slice(0, 35)}g`,
      `${id.slice(0, 35)}\u0660`,
      '',
    ]) {
      expect(ids.has(bad)).toBe(false)
      expect(() => ids.add(bad)).toThrow(/not a lowercase UUID/)
    }
  })
})
