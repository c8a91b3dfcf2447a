import type { InjectedCase } from './inject.ts'
import type { ProvinceModel } from './model.ts'
import { casesFor } from './picker.ts'

// Signed online learning whose face checks were skipped (issue 25): for a share of the online
// learners no other case uses, the spot checks inside one signed segment are removed, as when a
// learner turns the camera away and lets the lesson play. The reading of hours then credits none
// of that segment (it is not bracketed by passing checks); no fraud rule is expected to fire.

export interface Uncredited {
  worker: string
  class: string
  segments: string[]
}

export function skipFaceChecks(model: ProvinceModel, rate: number, injected: InjectedCase[]): Uncredited[] {
  const taken = new Set(injected.map((c) => c.subject.id))
  const eligible = model.members.filter(
    (m) => !taken.has(m.worker) && m.segments.some((g) => !g.removed && g.data.signedBy !== undefined),
  )
  const out: Uncredited[] = []
  for (const m of model.rng.sample(eligible, casesFor(rate, eligible.length))) {
    const segment = model.rng.pick(m.segments.filter((g) => !g.removed))
    const start = Date.parse(String(segment.data.start))
    const end = Date.parse(String(segment.data.end))
    for (const c of m.checks) {
      const at = Date.parse(String(c.data.checkedAt))
      if (c.data.purpose === 'spot' && at > start && at <= end) c.removed = true
    }
    out.push({ worker: m.worker, class: m.cls.id, segments: [segment.id] })
  }
  return out
}
