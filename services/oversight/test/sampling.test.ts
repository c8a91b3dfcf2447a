import { createHash } from 'node:crypto'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  canonicalPopulation,
  populationDigest,
  recomputeSample,
  Sha256Stream,
} from '../src/sampling/recompute-sample.ts'

// 双随机 sampling must be re-derivable by anyone from the recorded seed and population. The
// check below re-implements the documented algorithm from its description (README, "Sampling"),
// independently of the module, and compares.

function independent(seed: string, population: string[], size: number): string[] {
  const ids = [...new Set(population)].sort()
  const words: number[] = []
  let block = 0
  const next = () => {
    if (words.length === 0) {
      const counter = Buffer.alloc(8)
      counter.writeBigUInt64BE(BigInt(block++))
      const digest = createHash('sha256')
        .update(Buffer.concat([Buffer.from(seed, 'hex'), counter]))
        .digest()
      for (let i = 0; i < 32; i += 4) words.push(digest.readUInt32BE(i))
    }
    return words.shift()!
  }
  const below = (n: number) => {
    const limit = 2 ** 32 - (2 ** 32 % n)
    for (;;) {
      const x = next()
      if (x < limit) return x % n
    }
  }
  const k = Math.min(size, ids.length)
  for (let i = 0; i < k; i++) {
    const j = i + below(ids.length - i)
    ;[ids[i], ids[j]] = [ids[j]!, ids[i]!]
  }
  return ids.slice(0, k)
}

const seedArb = fc.uint8Array({ minLength: 32, maxLength: 32 }).map((b) => Buffer.from(b).toString('hex'))
const idsArb = fc.uniqueArray(fc.stringMatching(/^[a-z0-9-]{1,12}$/), { minLength: 0, maxLength: 60 })

describe('recomputeSample (sha256-ctr-fisher-yates-v1)', () => {
  it('gives what an independent implementation of the documented algorithm gives', () => {
    fc.assert(
      fc.property(seedArb, idsArb, fc.integer({ min: 1, max: 70 }), (seed, ids, size) => {
        expect(recomputeSample(seed, ids, size).selected).toEqual(independent(seed, ids, size))
      }),
    )
  })

  it('selects min(size, N) distinct members of the population, whatever order the population came in', () => {
    fc.assert(
      fc.property(seedArb, idsArb, fc.integer({ min: 1, max: 70 }), (seed, ids, size) => {
        const a = recomputeSample(seed, ids, size)
        const b = recomputeSample(seed, [...ids].reverse(), size)
        expect(b).toEqual(a)
        expect(a.selected).toHaveLength(Math.min(size, ids.length))
        expect(new Set(a.selected).size).toBe(a.selected.length)
        for (const id of a.selected) expect(ids).toContain(id)
      }),
    )
  })

  it('is pinned: this seed and population always select these, in this order', () => {
    const seed = `${'00'.repeat(31)}01`
    const population = Array.from({ length: 10 }, (_, i) => `inst-${i}`)
    const sample = recomputeSample(seed, population, 3)
    expect(sample.selected).toEqual(independent(seed, population, 3))
    expect(sample.populationDigest).toBe(
      createHash('sha256').update(canonicalPopulation(population).join('\n')).digest('hex'),
    )
    // A test vector for other implementations (README, "Sampling").
    expect(sample.selected).toEqual(['inst-9', 'inst-6', 'inst-0'])
    expect(sample.populationDigest).toBe('74f1838daeff1fb6f7131ff6ea9f2dbb842f1939d8fe7205a7ab05052d625602')
  })

  it('draws each member about equally often over many seeds (no modulo bias to speak of)', () => {
    const population = ['a', 'b', 'c', 'd', 'e', 'f', 'g']
    const counts = new Map(population.map((p) => [p, 0]))
    for (let i = 0; i < 7000; i++) {
      const seed = createHash('sha256').update(`seed ${i}`).digest('hex')
      const [first] = recomputeSample(seed, population, 1).selected
      counts.set(first!, counts.get(first!)! + 1)
    }
    for (const n of counts.values()) expect(Math.abs(n - 1000)).toBeLessThan(150)
  })

  it('assigns inspectors from the pool after the targets, on the same stream', () => {
    const seed = 'ab'.repeat(32)
    const s = recomputeSample(seed, ['x', 'y', 'z'], 2, { pool: ['p3', 'p1', 'p2'], perTarget: 2 })
    expect(s.assignments!.map((a) => a.target)).toEqual(s.selected)
    for (const a of s.assignments!) {
      expect(a.inspectors).toHaveLength(2)
      expect(new Set(a.inspectors).size).toBe(2)
    }
    expect(recomputeSample(seed, ['x', 'y', 'z'], 2).selected).toEqual(s.selected)
  })

  it('refuses a seed that is not 32 bytes of lowercase hex', () => {
    expect(() => new Sha256Stream('abc')).toThrow(/32 bytes/)
    expect(() => recomputeSample('AB'.repeat(32), ['x'], 1)).toThrow(/32 bytes/)
  })

  it('digests the population as its sorted ids joined by newlines', () => {
    expect(populationDigest(['a', 'b'])).toBe(createHash('sha256').update('a\nb').digest('hex'))
  })
})
