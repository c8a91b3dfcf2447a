import type { IntegrityGrade } from '@trec/contracts'
import {
  canonicalPopulation,
  drawInspectors,
  populationDigest,
  type Sample,
  Sha256Stream,
} from './recompute-sample.ts'

// 双随机 weighted by 诚信等级: an institution with a worse latest grade is more likely to be drawn.
// The weights are not in the seeds (set by the region); these are the defaults:
//   A 1, B 2, C 4, D 8, ungraded 2 (as B).
// Algorithm `sha256-ctr-weighted-v1`, in full (same stream as sha256-ctr-fisher-yates-v1):
// 1. The population is canonical (sorted by UTF-16 code units, no repeats), each id with its
//    integer weight ≥ 1 from its latest grade.
// 2. For each of k = min(size, N) draws: r = uniform(total weight of the ids not yet drawn)
//    from the stream; walk the remaining ids in canonical order subtracting weights; the first
//    id whose weight exceeds what is left of r is drawn and removed.
// 3. Inspectors, when a pool is given: as in sha256-ctr-fisher-yates-v1, continuing the stream.
// The same seed, population and grades always give the same sample, in the same order.

export const gradeSamplingWeights: Readonly<Record<IntegrityGrade | 'ungraded', number>> = {
  A: 1,
  B: 2,
  C: 4,
  D: 8,
  ungraded: 2,
}

export function weightedSample(
  seed: string,
  population: Iterable<string>,
  size: number,
  latestGrade: ReadonlyMap<string, IntegrityGrade>,
  weights: Readonly<Record<IntegrityGrade | 'ungraded', number>> = gradeSamplingWeights,
  inspectors?: { pool: Iterable<string>; perTarget: number },
): Sample {
  const populationIds = canonicalPopulation(population)
  const stream = new Sha256Stream(seed)
  const remaining = populationIds.map((id) => ({ id, w: weights[latestGrade.get(id) ?? 'ungraded'] }))
  const selected: string[] = []
  const take = Math.min(size, remaining.length)
  while (selected.length < take) {
    let r = stream.below(remaining.reduce((sum, x) => sum + x.w, 0))
    const i = remaining.findIndex((x) => {
      if (r < x.w) return true
      r -= x.w
      return false
    })
    selected.push(remaining[i]!.id)
    remaining.splice(i, 1)
  }
  const out: Sample = { populationIds, populationDigest: populationDigest(populationIds), selected }
  if (inspectors) out.assignments = drawInspectors(stream, selected, inspectors)
  return out
}
