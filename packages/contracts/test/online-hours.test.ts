import { describe, expect, it } from 'vitest'
import {
  attendancePolicyOf,
  computeAttendance,
  defaultAttendancePolicy,
  type FaceCheckFact,
  type ScheduledSession,
  type SegmentFact,
} from '../src/reading/attendance-hours.ts'

// Signed online learning (issue 25): only segments bracketed by passing face checks count, and
// hours add up across sittings toward the scheduled online total.

const day = (d: number, h: number, m = 0) => new Date(Date.UTC(2024, 3, d, h, m)).toISOString()
const schedule: ScheduledSession[] = [
  { session: 's1', start: day(8, 0), end: day(8, 2), mode: 'online' },
  { session: 's2', start: day(12, 0), end: day(12, 2), mode: 'online' },
]
const check = (id: string, at: string, result: 'pass' | 'fail' = 'pass'): FaceCheckFact => ({
  id,
  session: 's1',
  checkedAt: at,
  result,
  livenessPassed: true,
})
const segment = (id: string, start: string, end: string, playbackRate = 1): SegmentFact => ({
  id,
  start,
  end,
  playbackRate,
  signed: true,
})

/** Four hours of learning in two sittings on other days than scheduled, checked every 30 minutes. */
function honest(): { checks: FaceCheckFact[]; segments: SegmentFact[] } {
  const checks: FaceCheckFact[] = []
  const segments: SegmentFact[] = []
  for (const d of [8, 10])
    for (let k = 0; k < 4; k++) {
      segments.push(segment(`g${d}-${k}`, day(d, 10, 30 * k), day(d, 10, 30 * (k + 1))))
      checks.push(check(`c${d}-${k}`, day(d, 10, 30 * k)))
    }
  checks.push(check('c8-end', day(8, 12)), check('c10-end', day(10, 12)))
  return { checks, segments }
}

describe('signed online learning hours', () => {
  it('credits every hour of bracketed learning across sittings, with the checks as evidence', () => {
    const { checks, segments } = honest()
    const hours = computeAttendance(schedule, checks, segments, defaultAttendancePolicy)
    expect(hours).toMatchObject({ attendedHours: 4, requiredHours: 4, attendanceShare: 1 })
    expect(hours.evidence).toContain('c8-0')
    expect(hours.evidence).toContain('g10-3')
  })

  it('credits nothing between checks that are skipped or failed', () => {
    const { checks, segments } = honest()
    const skipped = checks.filter((c) => c.id !== 'c8-2')
    expect(computeAttendance(schedule, skipped, segments, defaultAttendancePolicy).attendedHours).toBe(3)
    const failed = checks.map((c) => (c.id === 'c8-2' ? { ...c, result: 'fail' as const } : c))
    expect(computeAttendance(schedule, failed, segments, defaultAttendancePolicy).attendedHours).toBe(3)
  })

  it('asks for as many checks an hour as the rule set says', () => {
    const { checks, segments } = honest()
    const policy = attendancePolicyOf({ onlineFaceChecksPerHour: 3 })
    expect(computeAttendance(schedule, checks, segments, policy).attendedHours).toBe(0)
  })

  it('does not credit sped-up play, nor a whole online session for one check', () => {
    const { checks, segments } = honest()
    const fast = segments.map((s, i) => (i < 4 ? { ...s, playbackRate: 2 } : s))
    expect(computeAttendance(schedule, checks, fast, defaultAttendancePolicy).attendedHours).toBe(2)
    const one = [check('only', day(8, 0, 30))]
    const brief = [segment('b', day(8, 0), day(8, 0, 10))]
    expect(computeAttendance(schedule, one, brief, defaultAttendancePolicy).attendedHours).toBe(0)
  })

  it('counts parallel sessions once', () => {
    const { checks, segments } = honest()
    const parallel = [...segments, ...segments.map((s) => ({ ...s, id: `${s.id}-p` }))]
    expect(computeAttendance(schedule, checks, parallel, defaultAttendancePolicy).attendedHours).toBe(4)
  })
})
