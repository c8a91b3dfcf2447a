import { describe, expect, it } from 'vitest'
import {
  attendancePolicyOf,
  type CardTapFact,
  computeAttendance,
  defaultAttendancePolicy,
  type ScheduledSession,
} from '../src/reading/attendance-hours.ts'

// 持卡参训 (issue 25): an in-person session counts when the worker's 签到 tap is no later than its
// start plus the late-arrival tolerance and the 签退 tap no earlier than its end minus the
// early-leave tolerance.

const at = (h: number, m = 0) => new Date(Date.UTC(2024, 3, 8, h, m)).toISOString()
const schedule: ScheduledSession[] = [
  { session: 's1', start: at(1), end: at(4), mode: 'offline' },
  { session: 's2', start: at(6), end: at(9), mode: 'offline' },
]
const tap = (
  id: string,
  session: string,
  tappedAt: string,
  purpose: CardTapFact['purpose'],
): CardTapFact => ({
  id,
  session,
  tappedAt,
  purpose,
})
const hoursOf = (taps: CardTapFact[], policy = defaultAttendancePolicy) =>
  computeAttendance(schedule, [], [], policy, taps)

describe('card taps in the hours reading', () => {
  it('credits a session bracketed by taps within the tolerances, citing both taps', () => {
    const taps = [tap('in', 's1', at(1, 14), 'sign_in'), tap('out', 's1', at(3, 46), 'sign_out')]
    expect(hoursOf(taps)).toEqual({
      attendedHours: 3,
      requiredHours: 6,
      attendanceShare: 0.5,
      evidence: ['in', 'out'],
    })
  })

  it('does not credit a worker who arrived too late or left too early', () => {
    expect(
      hoursOf([tap('in', 's1', at(1, 16), 'sign_in'), tap('out', 's1', at(4), 'sign_out')]),
    ).toMatchObject({
      attendedHours: 0,
      evidence: [],
    })
    expect(
      hoursOf([tap('in', 's1', at(1), 'sign_in'), tap('out', 's1', at(3, 44), 'sign_out')]),
    ).toMatchObject({
      attendedHours: 0,
    })
  })

  it('needs both taps, each for the session and with its own purpose', () => {
    expect(hoursOf([tap('in', 's1', at(1), 'sign_in')]).attendedHours).toBe(0)
    expect(hoursOf([tap('a', 's1', at(1), 'sign_in'), tap('b', 's1', at(4), 'sign_in')]).attendedHours).toBe(
      0,
    )
    expect(hoursOf([tap('a', 's1', at(1), 'sign_in'), tap('b', 's2', at(4), 'sign_out')]).attendedHours).toBe(
      0,
    )
  })

  it('takes the tolerances from the rule set, with defaults when it sets none', () => {
    const taps = [tap('in', 's2', at(6, 25), 'sign_in'), tap('out', 's2', at(8, 40), 'sign_out')]
    expect(hoursOf(taps, attendancePolicyOf({})).attendedHours).toBe(0)
    const lenient = attendancePolicyOf({ lateArrivalMinutes: 30, earlyLeaveMinutes: 20 })
    expect(lenient).toMatchObject({ lateArrivalMinutes: 30, earlyLeaveMinutes: 20, checksPerHour: 2 })
    expect(hoursOf(taps, lenient)).toMatchObject({ attendedHours: 3, evidence: ['in', 'out'] })
  })
})
