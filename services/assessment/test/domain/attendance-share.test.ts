import { type AttendancePolicy, computeAttendance } from '@trec/contracts'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import type { FaceCheckFact, SegmentFact } from '../../src/domain/facts.ts'
import { eventId, passingCheck, schedule, signIns } from '../fixtures.ts'

const policy: AttendancePolicy = { graceMinutes: 15, maxPlaybackRate: 1, checksPerHour: 2 }
const at = (s: string) => `2024-04-${s}+08:00`
const segment = (n: number, start: string, end: string, playbackRate = 1): SegmentFact => ({
  id: eventId(n),
  start: at(start),
  end: at(end),
  playbackRate,
})

describe('the attendance share, computed from the record', () => {
  it('credits each offline session with a passing face check for its scheduled hours', () => {
    const a = computeAttendance(schedule, signIns, [], policy)
    expect(a).toEqual({
      attendedHours: 12,
      requiredHours: 14,
      attendanceShare: 0.8571,
      evidence: signIns.map((c) => c.id),
    })
  })

  it('counts no check whose verdict failed or whose liveness failed', () => {
    const failing: FaceCheckFact[] = [
      { ...signIns[0]!, result: 'fail' },
      { ...signIns[1]!, livenessPassed: false },
    ]
    const a = computeAttendance(schedule, [...failing, signIns[2]!], [], policy)
    expect([a.attendedHours, a.evidence]).toEqual([3, [signIns[2]!.id]])
  })

  it('counts a check within the grace period around a session, not one outside it', () => {
    const early = passingCheck(11, 'ses-01', at('08T07:46:00'))
    const tooEarly = passingCheck(12, 'ses-02', at('09T07:44:00'))
    const late = passingCheck(13, 'ses-03', at('10T11:15:00'))
    const a = computeAttendance(schedule, [early, tooEarly, late], [], policy)
    expect(a.evidence).toEqual([early.id, late.id])
    expect(computeAttendance(schedule, [early], [], { ...policy, graceMinutes: 0 }).evidence).toEqual([])
  })

  it('does not credit a session with a check taken for another session', () => {
    const elsewhere = passingCheck(14, 'ses-02', at('08T09:00:00'))
    expect(computeAttendance(schedule, [elsewhere], [], policy).attendedHours).toBe(0)
  })

  it('credits an online session from the learning trail, counting overlapping segments once', () => {
    const trail = [segment(21, '12T19:00:00', '12T20:00:00'), segment(22, '12T19:30:00', '12T20:30:00')]
    const a = computeAttendance(schedule, signIns, trail, policy)
    expect([a.attendedHours, a.evidence.slice(4)]).toEqual([13.5, [eventId(21), eventId(22)]])
  })

  it('does not count sped-up play, time outside the class period, or more than the online hours', () => {
    const fast = segment(31, '12T19:00:00', '12T21:00:00', 2)
    const before = segment(32, '01T19:00:00', '01T21:00:00') // a week before the class
    expect(computeAttendance(schedule, signIns, [fast, before], policy).attendedHours).toBe(12)
    expect(
      computeAttendance(schedule, signIns, [fast], { ...policy, maxPlaybackRate: 2 }).attendedHours,
    ).toBe(14)
    const long = segment(33, '09T12:00:00', '11T12:00:00')
    expect(computeAttendance(schedule, signIns, [long], policy).attendedHours).toBe(14)
  })

  it('does not count learning during an online session a face check already credited', () => {
    const twoOnline = [
      ...schedule,
      { session: 'ses-06', start: at('13T19:00:00'), end: at('13T21:00:00'), mode: 'online' as const },
    ]
    const checked = passingCheck(41, 'ses-05', at('12T19:01:00'))
    const during = segment(42, '12T19:00:00', '12T21:00:00')
    const a = computeAttendance(twoOnline, [...signIns, checked], [during], policy)
    expect([a.attendedHours, a.requiredHours, a.evidence.includes(during.id)]).toEqual([14, 16, false])
  })

  it('rounds the share down, so rounding never turns a fail into a pass', () => {
    // 12 h 12 min 2 s of 14 h is 0.871468…: rounded it would be 0.8715.
    const a = computeAttendance(schedule, signIns, [segment(51, '12T19:00:00', '12T19:12:02')], policy)
    expect(a.attendanceShare).toBe(0.8714)
  })
})

// Random checks and segments over the fixture schedule.
const first = Date.parse(schedule[0]!.start) - 86_400_000
const last = Date.parse(schedule.at(-1)!.end) + 86_400_000
const instant = fc.integer({ min: first, max: last }).map((t) => new Date(t).toISOString())
const check = fc.record({
  id: fc.uuid(),
  session: fc.constantFrom(...schedule.map((s) => s.session)),
  checkedAt: instant,
  result: fc.constantFrom('pass' as const, 'fail' as const),
  livenessPassed: fc.boolean(),
})
const trail = fc
  .record({
    id: fc.uuid(),
    start: fc.integer({ min: first, max: last }),
    minutes: fc.integer({ min: 1, max: 600 }),
    playbackRate: fc.constantFrom(0.5, 1, 1.5, 2),
  })
  .map(({ id, start, minutes, playbackRate }) => ({
    id,
    start: new Date(start).toISOString(),
    end: new Date(start + minutes * 60_000).toISOString(),
    playbackRate,
  }))
const checks = fc.uniqueArray(check, { maxLength: 20, selector: (c) => c.id })
const segments = fc.uniqueArray(trail, { maxLength: 10, selector: (s) => s.id })

describe('attendance share properties', () => {
  it('stays within [0, 1], never credits more than the schedule, and cites only what counted', () => {
    fc.assert(
      fc.property(checks, segments, (cs, ss) => {
        const a = computeAttendance(schedule, cs, ss, policy)
        expect(a.attendanceShare).toBeGreaterThanOrEqual(0)
        expect(a.attendanceShare).toBeLessThanOrEqual(1)
        expect(a.attendedHours).toBeLessThanOrEqual(a.requiredHours)
        const failing = new Set(cs.filter((c) => c.result === 'fail' || !c.livenessPassed).map((c) => c.id))
        const fast = new Set(ss.filter((s) => s.playbackRate > 1).map((s) => s.id))
        for (const id of a.evidence) expect(failing.has(id) || fast.has(id)).toBe(false)
      }),
    )
  })

  it('does not depend on the order of the events, and a further passing check never lowers it', () => {
    fc.assert(
      fc.property(checks, segments, check, (cs, ss, extra) => {
        const a = computeAttendance(schedule, cs, ss, policy)
        const reversed = computeAttendance(schedule, [...cs].reverse(), [...ss].reverse(), policy)
        expect(reversed.attendanceShare).toBe(a.attendanceShare)
        expect(new Set(reversed.evidence)).toEqual(new Set(a.evidence))
        const more = computeAttendance(
          schedule,
          [...cs, { ...extra, result: 'pass', livenessPassed: true }],
          ss,
          policy,
        )
        expect(more.attendanceShare).toBeGreaterThanOrEqual(a.attendanceShare)
      }),
    )
  })

  it('is unchanged by a failing check', () => {
    fc.assert(
      fc.property(checks, segments, check, (cs, ss, extra) => {
        const a = computeAttendance(schedule, cs, ss, policy)
        const b = computeAttendance(schedule, [...cs, { ...extra, result: 'fail' }], ss, policy)
        expect(b).toEqual(a)
      }),
    )
  })
})
