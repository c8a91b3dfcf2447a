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

export interface AttendancePolicy {
  /** Minutes before a session's start and after its end in which a face check still counts. */
  graceMinutes: number
  /** Segments played faster than this are not counted (sped-up play is not study time). */
  maxPlaybackRate: number
  /** Passing face checks per hour of signed online learning (the longest gap between checks is 60 / this minutes). */
  checksPerHour: number
}

/**
 * NOT IN SEEDS, national practice: a check counts 15 minutes either side of its session, only
 * learning played at normal speed counts, and online platforms check the learner's face at random
 * about twice an hour (the seeds name 人脸识别 for online training, D0/D1, not how often). The
 * assessment service can be configured otherwise; the readers that judge its completions
 * afterwards use these.
 */
export const defaultAttendancePolicy: AttendancePolicy = {
  graceMinutes: 15,
  maxPlaybackRate: 1,
  checksPerHour: 2,
}

/** The attendance policy a rule set's practice section sets (its checks per hour of online learning). */
export function attendancePolicyOf(practice?: {
  onlineFaceChecksPerHour?: number | undefined
}): AttendancePolicy {
  const checksPerHour = practice?.onlineFaceChecksPerHour
  return checksPerHour === undefined ? defaultAttendancePolicy : { ...defaultAttendancePolicy, checksPerHour }
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

  for (const s of sessions) {
    const start = Date.parse(s.start)
    const end = Date.parse(s.end)
    requiredMs += end - start
    const passing = faceChecks.filter((c) => {
      const at = Date.parse(c.checkedAt)
      return c.session === s.session && isPassingCheck(c) && at >= start - grace && at <= end + grace
    })
    if (signedLearning && s.mode === 'online') uncreditedOnline.push(s)
    else if (passing.length > 0) {
      attendedMs += end - start
      for (const c of passing) evidence.add(c.id)
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
}

/** The worker's face checks and online-learning segments for one class, from `attendance-{worker}`. */
export function attendanceFacts(
  events: readonly (DomainEvent & { id: string })[],
  classId: string,
): AttendanceFacts {
  const facts: AttendanceFacts = { faceChecks: [], segments: [] }
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
  }
  return facts
}

/** What the reading needs of a segment event: its id, times, rate and whether a platform signed it. */
export function segmentFact(id: string, data: EventData<'OnlineLearningSegmentRecorded'>): SegmentFact {
  const fact: SegmentFact = { id, start: data.start, end: data.end, playbackRate: data.playbackRate }
  if (data.signedBy !== undefined) fact.signed = true
  return fact
}
