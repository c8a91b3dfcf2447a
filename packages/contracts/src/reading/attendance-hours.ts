import type { DomainEvent, EventData } from '../registry.ts'
import { clip, type Interval, overlapLength, totalLength, union } from './intervals.ts'

// The attendance of one worker in one class, computed from the record alone: the class's schedule
// (ClassOpened) and the worker's attendance events. Never from figures a client sends. This is
// the one reading of hours: the assessment service's completion, the subsidy gate, the
// compliance read model and fraud rule R7 all call it, so they agree on every class, blended
// ones (part online, part in person) included.
//
// - Required time is the scheduled time of every session.
// - A session is attended, for its whole scheduled time, when it has a passing face check: verdict
//   `pass` and liveness passed, for that session, taken within the session (give or take a grace
//   period for 签到 before the start and 签退 after the end). Offline face-check attendance is
//   national practice, not in the seeds (docs/domain.md §2 step 7); D0/D1 name 人脸识别 for online training.
// - Online sessions without such a check are credited from the online-learning trail
//   (「学习过程可查询、可追溯」, D0/D1): the time covered by the worker's segments for the class,
//   counted once however they overlap, inside the class's scheduled period, not overlapping an
//   online session already credited by a face check, played no faster than the configured rate,
//   and at most the scheduled time of those sessions.
// - Signed learning (segments a platform signed in a batch, with face checks at random during
//   learning): when a worker has any, one check no longer credits a whole online session. Online
//   time then comes only from signed segments bracketed by passing face checks: a passing check at
//   or before the segment's start, one at or after its end, and none of the gaps between
//   consecutive passing checks across it longer than 60 / `checksPerHour` minutes. Hours add up
//   across sessions toward the scheduled online total (弹性学时, 累积学时): a worker may learn at
//   any time within the class's period, in as many sittings as suits.
// - 持卡参训: a session without a passing face check is also attended, for its whole scheduled
//   time, when the worker's card taps bracket it: a 签到 tap for the session no later than its start
//   plus `lateArrivalMinutes` (and no earlier than the grace period before it), and a 签退 tap no
//   earlier than its end minus `earlyLeaveMinutes` (and no later than the grace period after it).
//   Taps never credit an online session once the worker has signed learning.

/** A session of the schedule, as ClassOpened lists it. */
export type ScheduledSession = Pick<
  EventData<'ClassOpened'>['sessions'][number],
  'session' | 'start' | 'end' | 'mode'
>

/** A face check for the class, from `attendance-{worker}` (FaceCheckRecorded). */
export interface FaceCheckFact {
  /** The event id: it goes into the evidence. */
  id: string
  session: string
  checkedAt: string
  result: 'pass' | 'fail'
  livenessPassed: boolean
}

/** A stretch of online learning for the class (OnlineLearningSegmentRecorded). */
export interface SegmentFact {
  id: string
  start: string
  end: string
  playbackRate: number
  /** Signed by a learning platform in a batch: counted only when bracketed by passing face checks. */
  signed?: boolean
}

/** A card tap at 签到 or 签退 for the class, from `attendance-{worker}` (CardTapRecorded). */
export interface CardTapFact {
  id: string
  session: string
  tappedAt: string
  purpose: 'sign_in' | 'sign_out'
}

export interface AttendancePolicy {
  /** Minutes before a session's start and after its end in which a face check still counts. */
  graceMinutes: number
  /** Segments played faster than this are not counted (sped-up play is not study time). */
  maxPlaybackRate: number
  /** Passing face checks per hour of signed online learning (the longest gap between checks is 60 / this minutes). */
  checksPerHour: number
  /** Minutes after a session's start a 签到 tap still counts (default 15). */
  lateArrivalMinutes?: number | undefined
  /** Minutes before a session's end a 签退 tap already counts (default 15). */
  earlyLeaveMinutes?: number | undefined
}

/**
 * NOT IN SEEDS, national practice: a check counts 15 minutes either side of its session, a card
 * tap at 签到 up to 15 minutes late and at 签退 up to 15 minutes early, only
 * learning played at normal speed counts, and online platforms check the learner's face at random
 * about twice an hour (the seeds name 人脸识别 for online training, D0/D1, not how often). The
 * assessment service can be configured otherwise; the readers that judge its completions
 * afterwards use these.
 */
export const defaultAttendancePolicy: AttendancePolicy = {
  graceMinutes: 15,
  maxPlaybackRate: 1,
  checksPerHour: 2,
  lateArrivalMinutes: 15,
  earlyLeaveMinutes: 15,
}

/** The attendance policy a rule set's practice section sets (checks per hour, card-tap tolerances). */
export function attendancePolicyOf(practice?: {
  onlineFaceChecksPerHour?: number | undefined
  lateArrivalMinutes?: number | undefined
  earlyLeaveMinutes?: number | undefined
}): AttendancePolicy {
  const d = defaultAttendancePolicy
  return {
    ...d,
    checksPerHour: practice?.onlineFaceChecksPerHour ?? d.checksPerHour,
    lateArrivalMinutes: practice?.lateArrivalMinutes ?? d.lateArrivalMinutes,
    earlyLeaveMinutes: practice?.earlyLeaveMinutes ?? d.earlyLeaveMinutes,
  }
}

/** The 签到 and 签退 taps that bracket a session within the tolerances, or none when they do not. */
function bracketingTaps(
  taps: readonly CardTapFact[],
  session: { session: string; start: number; end: number },
  policy: AttendancePolicy,
): CardTapFact[] {
  const minute = 60_000
  const grace = policy.graceMinutes * minute
  const late = (policy.lateArrivalMinutes ?? defaultAttendancePolicy.lateArrivalMinutes!) * minute
  const early = (policy.earlyLeaveMinutes ?? defaultAttendancePolicy.earlyLeaveMinutes!) * minute
  const { start, end } = session
  const own = taps.filter((t) => t.session === session.session)
  const signIn = own.find((t) => {
    const at = Date.parse(t.tappedAt)
    return t.purpose === 'sign_in' && at >= start - grace && at <= start + late
  })
  const signOut = own.find((t) => {
    const at = Date.parse(t.tappedAt)
    return t.purpose === 'sign_out' && at >= end - early && at <= end + grace
  })
  return signIn && signOut ? [signIn, signOut] : []
}

/** Whether passing checks (sorted instants) bracket `[start, end]` with no gap above `gapMs`. */
function bracketed(passing: readonly number[], start: number, end: number, gapMs: number): boolean {
  let last: number | undefined
  for (const at of passing) {
    if (at > end + gapMs) break
    if (at < start - gapMs) continue
    if (at <= start) last = at
    else {
      if (last === undefined || at - last > gapMs) return false
      last = at
      if (at >= end) return true
    }
  }
  return last !== undefined && last >= end
}

export interface Attendance {
  attendedHours: number
  requiredHours: number
  /** attended / required, rounded down to 4 decimals so rounding never turns a fail into a pass. */
  attendanceShare: number
  /** Ids of the face-check events counted (in schedule order), then of the segments counted. */
  evidence: string[]
}

const hour = 3_600_000
const hours = (ms: number) => Math.round((ms / hour) * 100) / 100

export function isPassingCheck(check: FaceCheckFact): boolean {
  return check.result === 'pass' && check.livenessPassed
}

export function computeAttendance(
  schedule: readonly ScheduledSession[],
  faceChecks: readonly FaceCheckFact[],
  segments: readonly SegmentFact[],
  policy: AttendancePolicy,
  taps: readonly CardTapFact[] = [],
): Attendance {
  const grace = policy.graceMinutes * 60_000
  const sessions = [...schedule].sort((a, b) => Date.parse(a.start) - Date.parse(b.start))
  const evidence = new Set<string>()
  const faceCheckedOnline: Interval[] = []
  // With signed learning, online sessions are credited from bracketed segments only.
  const signedLearning = segments.some((s) => s.signed)
  const passingChecks = signedLearning
    ? faceChecks
        .filter(isPassingCheck)
        .map((c) => ({ at: Date.parse(c.checkedAt), id: c.id }))
        .sort((a, b) => a.at - b.at)
    : []
  const passingTimes = passingChecks.map((c) => c.at)
  const gapMs = hour / Math.max(policy.checksPerHour, Number.MIN_VALUE)
  const uncreditedOnline: ScheduledSession[] = []
  let requiredMs = 0
  let attendedMs = 0
  // The passing checks by session, in the order given, each time parsed once: each session used
  // to filter (and parse) every check of the record, sessions × checks on a worker's every fold.
  const passingBySession = new Map<string, { check: FaceCheckFact; at: number }[]>()
  for (const check of faceChecks) {
    if (!isPassingCheck(check)) continue
    const list = passingBySession.get(check.session)
    const entry = { check, at: Date.parse(check.checkedAt) }
    if (list) list.push(entry)
    else passingBySession.set(check.session, [entry])
  }

  for (const s of sessions) {
    const start = Date.parse(s.start)
    const end = Date.parse(s.end)
    requiredMs += end - start
    const passing: FaceCheckFact[] = []
    for (const { check, at } of passingBySession.get(s.session) ?? [])
      if (at >= start - grace && at <= end + grace) passing.push(check)
    const tapped = passing.length > 0 ? [] : bracketingTaps(taps, { session: s.session, start, end }, policy)
    if (signedLearning && s.mode === 'online') uncreditedOnline.push(s)
    else if (passing.length > 0 || tapped.length > 0) {
      attendedMs += end - start
      for (const c of [...passing, ...tapped]) evidence.add(c.id)
      if (s.mode === 'online') faceCheckedOnline.push([start, end])
    } else if (s.mode === 'online') uncreditedOnline.push(s)
  }

  if (uncreditedOnline.length > 0 && sessions.length > 0) {
    const period: Interval = [
      Date.parse(sessions[0]!.start),
      Math.max(...sessions.map((s) => Date.parse(s.end))),
    ]
    const taken = union(faceCheckedOnline)
    const counted: Interval[] = []
    for (const segment of segments) {
      if (segment.playbackRate > policy.maxPlaybackRate) continue
      const [from, to] = [Date.parse(segment.start), Date.parse(segment.end)]
      if (signedLearning && !(segment.signed && bracketed(passingTimes, from, to, gapMs))) continue
      for (const c of passingChecks) if (c.at >= from - gapMs && c.at <= to + gapMs) evidence.add(c.id)
      const part = clip([Date.parse(segment.start), Date.parse(segment.end)], period)
      if (!part || totalLength([part]) - overlapLength([part], taken) <= 0) continue
      counted.push(part)
      evidence.add(segment.id)
    }
    const trail = union(counted)
    const learnedMs = totalLength(trail) - overlapLength(trail, taken)
    const capMs = totalLength(uncreditedOnline.map((s) => [Date.parse(s.start), Date.parse(s.end)] as const))
    attendedMs += Math.min(learnedMs, capMs)
  }

  const share = requiredMs > 0 ? Math.floor((attendedMs / requiredMs) * 10_000) / 10_000 : 0
  return {
    attendedHours: hours(attendedMs),
    requiredHours: hours(requiredMs),
    attendanceShare: Math.min(1, share),
    evidence: [...evidence],
  }
}

export interface AttendanceFacts {
  faceChecks: FaceCheckFact[]
  segments: SegmentFact[]
  taps: CardTapFact[]
}

/** The worker's face checks, online-learning segments and card taps for one class, from `attendance-{worker}`. */
export function attendanceFacts(
  events: readonly (DomainEvent & { id: string })[],
  classId: string,
): AttendanceFacts {
  const facts: AttendanceFacts = { faceChecks: [], segments: [], taps: [] }
  for (const event of events) {
    if (event.type === 'FaceCheckRecorded' && event.data.class === classId)
      facts.faceChecks.push({
        id: event.id,
        session: event.data.session,
        checkedAt: event.data.checkedAt,
        result: event.data.result,
        livenessPassed: event.data.liveness.passed,
      })
    else if (event.type === 'OnlineLearningSegmentRecorded' && event.data.class === classId)
      facts.segments.push(segmentFact(event.id, event.data))
    else if (event.type === 'CardTapRecorded' && event.data.class === classId) {
      const { session, tappedAt, purpose } = event.data
      facts.taps.push({ id: event.id, session, tappedAt, purpose })
    }
  }
  return facts
}

/** What the reading needs of a segment event: its id, times, rate and whether a platform signed it. */
export function segmentFact(id: string, data: EventData<'OnlineLearningSegmentRecorded'>): SegmentFact {
  const fact: SegmentFact = { id, start: data.start, end: data.end, playbackRate: data.playbackRate }
  if (data.signedBy !== undefined) fact.signed = true
  return fact
}
