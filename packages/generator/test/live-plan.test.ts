import { validateCardNumber } from '@trec/core'
import { describe, expect, it } from 'vitest'
import { buildLivePlan, defaultLiveOptions, livePatterns } from '../src/live/plan.ts'
import { checksOf, sessionsFrom } from '../src/live/schedule.ts'
import { Random } from '../src/province/random.ts'

// The plan the generator sends to a server, without a server: card numbers the API accepts and
// no two alike, the same plan from the same seed, every pattern placed, and face checks the
// attendance service accepts whose honest queues never look like a burst.

const plan = buildLivePlan({ ...defaultLiveOptions, seed: 'plan-test', workers: 10_000 })

describe('the live plan', () => {
  it('gives every worker a valid card number, unique in the run', () => {
    expect(plan.workers).toHaveLength(10_000)
    for (const w of plan.workers) expect(validateCardNumber(w.card).ok, w.card).toBe(true)
    expect(new Set(plan.workers.map((w) => w.card)).size).toBe(10_000)
  })

  it('is a function of its seed and options', () => {
    const again = buildLivePlan({ ...defaultLiveOptions, seed: 'plan-test', workers: 10_000 })
    expect(again.workers.map((w) => w.card)).toEqual(plan.workers.map((w) => w.card))
    expect(buildLivePlan({ ...defaultLiveOptions, seed: 'other', workers: 50 }).workers[0]!.card).not.toBe(
      plan.workers[0]!.card,
    )
  })

  it('places every pattern, each class carrying one at most', () => {
    expect(plan.classes.some((c) => c.institution.mill)).toBe(true)
    expect(plan.classes.some((c) => c.burst)).toBe(true)
    expect(plan.classes.some((c) => c.sharedTemplate)).toBe(true)
    expect(plan.classes.some((c) => c.travel)).toBe(true)
    expect(plan.snoops.length).toBeGreaterThan(0)
    for (const c of plan.classes)
      expect(
        [c.institution.mill, c.burst, c.sharedTemplate, c.travel].filter(Boolean).length,
      ).toBeLessThanOrEqual(1)
    expect(livePatterns).toHaveLength(5)
  })

  it('schedules checks inside the accepted window, never more than eight workers in 30 s but the burst', () => {
    const sessions = sessionsFrom(Date.parse('2026-12-07T01:00:00Z'), 2, 1)
    for (const c of plan.classes) {
      const checks = checksOf(c, sessions, new Random(c.key))
      for (const k of checks) {
        const s = sessions.find((x) => x.session === k.session)!
        const at = Date.parse(k.checkedAt)
        expect(at).toBeGreaterThanOrEqual(Date.parse(s.start) - 15 * 60_000)
        expect(at).toBeLessThanOrEqual(Date.parse(s.end))
      }
      const queue = checks.filter((k) => k.purpose === 'sign_in').map((k) => Date.parse(k.checkedAt))
      const busiest = Math.max(0, ...queue.map((t) => queue.filter((u) => u >= t && u <= t + 30_000).length))
      expect(busiest).toBeLessThanOrEqual(8)
      const spots = checks.filter((k) => k.purpose === 'spot').length
      expect(spots).toBe(c.burst ? 9 : c.travel ? 1 : 0)
    }
  })
})
