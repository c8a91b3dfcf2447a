import {
  type CardTapFact,
  computeAttendance,
  defaultAttendancePolicy,
  type FaceCheckFact,
  isPassingCheck,
  type ScheduledSession,
  type SegmentFact,
  segmentFact,
} from '@trec/contracts'
import type { FraudRule } from '../detectors/fraud-rule.ts'
import { type ScheduleSlot, scheduleKey, scheduleOf } from './class-schedule.ts'

// R7 (docs/fraud-rules.md; UK NAO, MOHRSS process supervision): a completion recorded as passed
// when the record's own attendance does not bear it out. The hours are the one reading of
// attendance (`computeAttendance`, @trec/contracts) that the assessment service's completion,
// the subsidy gate and the compliance read model call: in-person sessions by passing live face
// checks within `graceMinutes` of the session, online sessions by the learning records played
// at normal speed. So R7, the gate and compliance agree on every class, blended ones (part
// online, part in person) included. A completion recorded before the last session ends is
// flagged too. Raised when the completion is recorded, before any claim on it.

/** What the record holds of one worker in one class: passing checks and learning segments. */
interface Attended {
  checks: FaceCheckFact[]
  segments: SegmentFact[]
  /** 签到/签退 card taps (持卡参训); absent in state kept before taps were read. */
  taps?: CardTapFact[]
}

const minuteMs = 60_000
const attendedKey = (worker: string, cls: string) => `a:${worker}|${cls}`

function sessionsOf(schedule: ScheduleSlot): ScheduledSession[] {
  return Object.entries(schedule.sessions).map(([session, [start, end, mode]]) => ({
    session,
    start: new Date(start).toISOString(),
    end: new Date(end).toISOString(),
    mode,
  }))
}

export const r7CompletionWithoutAttendance: FraudRule<'R7'> = {
  id: 'R7',
  title: 'Completion without attendance',
  reads: [
    'ClassOpened',
    'FaceCheckRecorded',
    'OnlineLearningSegmentRecorded',
    'CardTapRecorded',
    'TrainingCompleted',
  ],
  keys: (event) => {
    if (event.type === 'ClassOpened') return [scheduleKey(event.data.class)]
    if (
      event.type === 'FaceCheckRecorded' ||
      event.type === 'OnlineLearningSegmentRecorded' ||
      event.type === 'CardTapRecorded'
    )
      return [attendedKey(event.data.worker, event.data.class)]
    if (event.type === 'TrainingCompleted')
      return [scheduleKey(event.data.class), attendedKey(event.data.worker, event.data.class)]
    return []
  },
  async step(event, state, params) {
    if (event.type === 'ClassOpened') {
      state.set(scheduleKey(event.data.class), scheduleOf(event))
      return []
    }
    if (
      event.type === 'FaceCheckRecorded' ||
      event.type === 'OnlineLearningSegmentRecorded' ||
      event.type === 'CardTapRecorded'
    ) {
      // Kept as the record states them; which count is decided at the completion, by the one
      // reading, so events arriving before the schedule (a late 开班 upload) count the same.
      const d = event.data
      const key = attendedKey(d.worker, d.class)
      const attended = (await state.get<Attended>(key)) ?? { checks: [], segments: [] }
      if (event.type === 'FaceCheckRecorded') {
        const check: FaceCheckFact = {
          id: event.id,
          session: event.data.session,
          checkedAt: event.data.checkedAt,
          result: event.data.result,
          livenessPassed: event.data.liveness.passed,
        }
        if (!isPassingCheck(check) || attended.checks.some((c) => c.id === event.id)) return []
        attended.checks.push(check)
      } else if (event.type === 'CardTapRecorded') {
        const taps = attended.taps ?? []
        if (taps.some((t) => t.id === event.id)) return []
        const { session, tappedAt, purpose } = event.data
        taps.push({ id: event.id, session, tappedAt, purpose })
        attended.taps = taps
      } else {
        if (attended.segments.some((s) => s.id === event.id)) return []
        attended.segments.push(segmentFact(event.id, event.data))
      }
      state.set(key, attended)
      return []
    }
    if (event.type !== 'TrainingCompleted' || !event.data.passed) return []
    const d = event.data
    const schedule = await state.get<ScheduleSlot>(scheduleKey(d.class))
    if (!schedule || Object.keys(schedule.sessions).length === 0) return []
    const sessions = sessionsOf(schedule)
    const attended = (await state.get<Attended>(attendedKey(d.worker, d.class))) ?? {
      checks: [],
      segments: [],
    }
    const hours = computeAttendance(
      sessions,
      attended.checks,
      attended.segments,
      {
        ...defaultAttendancePolicy,
        graceMinutes: params.graceMinutes,
        checksPerHour: params.checksPerHour,
      },
      attended.taps ?? [],
    )
    const counted = new Set(hours.evidence)
    const checkedSessions = new Set(attended.checks.filter((c) => counted.has(c.id)).map((c) => c.session))
    const online = sessions.filter((s) => s.mode === 'online').length
    const share = hours.attendanceShare
    const lastEnd = Math.max(...sessions.map((s) => Date.parse(s.end)))
    const early = Date.parse(event.occurredAt) < lastEnd - params.completionToleranceMinutes * minuteMs
    const short = share < params.minShare
    if (!short && !early) return []
    const reasons = [
      ...(short
        ? [
            `the record shows ${hours.attendedHours} of ${hours.requiredHours} scheduled hours (${(share * 100).toFixed(1)} %: face checks for ${checkedSessions.size} of ${sessions.length} sessions${online > 0 ? `, learning records for the ${online} online` : ''}), below ${(params.minShare * 100).toFixed(0)} %; the completion states ${(d.attendanceShare * 100).toFixed(1)} %`,
          ]
        : []),
      ...(early ? ['recorded before the last session ended'] : []),
    ]
    return [
      {
        subject: { kind: 'worker', id: d.worker },
        occurrence: d.class,
        evidence: hours.evidence,
        summary: `completion of class ${d.class} passed although ${reasons.join('; ')}`,
        measures: {
          recomputedShare: share,
          statedShare: d.attendanceShare,
          minShare: params.minShare,
          attendedHours: hours.attendedHours,
          requiredHours: hours.requiredHours,
          sessions: sessions.length,
          onlineSessions: online,
          checkedSessions: checkedSessions.size,
        },
      },
    ]
  },
}
