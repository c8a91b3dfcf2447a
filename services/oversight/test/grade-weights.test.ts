import { integrityGrades } from '@trec/contracts'
import { describe, expect, it } from 'vitest'
import { gradeSamplingWeights, weightedSample } from '../src/sampling/grade-weights.ts'

const seed = (n: number) => n.toString(16).padStart(64, '0')
const ids = Array.from({ length: 40 }, (_, i) => `inst-${String(i).padStart(2, '0')}`)

describe('双随机 weighted by integrity grade', () => {
  it('is reproducible from its seed, population and grades', () => {
    const grades = new Map(ids.map((id, i) => [id, integrityGrades[i % 4]!]))
    const a = weightedSample(seed(7), ids, 10, grades)
    const b = weightedSample(seed(7), [...ids].reverse(), 10, grades)
    expect(b).toEqual(a)
    expect(new Set(a.selected).size).toBe(10)
    expect(weightedSample(seed(8), ids, 10, grades).selected).not.toEqual(a.selected)
    // Inspectors continue the same stream after the targets, as in the unweighted draw.
    const pool = { pool: ['insp-1', 'insp-2', 'insp-3'], perTarget: 2 }
    const withInspectors = weightedSample(seed(7), ids, 10, grades, gradeSamplingWeights, pool)
    expect(withInspectors.selected).toEqual(a.selected)
    expect(withInspectors).toEqual(weightedSample(seed(7), ids, 10, grades, gradeSamplingWeights, pool))
    expect(withInspectors.assignments!.every((x) => x.inspectors.length === 2)).toBe(true)
  })

  it('draws D-graded institutions about eight times as often as A-graded ones', () => {
    const grades = new Map(ids.map((id, i) => [id, i < 20 ? ('A' as const) : ('D' as const)]))
    let d = 0
    let a = 0
    for (let n = 0; n < 400; n++) {
      const [first] = weightedSample(seed(n + 1), ids, 1, grades).selected
      if (grades.get(first!) === 'D') d++
      else a++
    }
    // expected ratio 8 : 1 (weights D 8, A 1): D is drawn first with probability 8/9
    expect(gradeSamplingWeights.D / gradeSamplingWeights.A).toBe(8)
    expect(d / (a + d)).toBeGreaterThan(0.82)
    expect(d / (a + d)).toBeLessThan(0.95)
  })

  it('takes the whole population when the size exceeds it', () => {
    expect(weightedSample(seed(1), ids.slice(0, 3), 10, new Map()).selected.sort()).toEqual(ids.slice(0, 3))
  })
})
