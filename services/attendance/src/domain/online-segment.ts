import { check, type Decider, type RuleViolation } from '@trec/command'
import type { DomainEventToAppend, EventData } from '@trec/contracts'
import type { ClassView } from './class-view.ts'
import { chinaDate, designationOn, type InstitutionView } from './institution-view.ts'
import { violation } from './rules.ts'

// A stretch of online learning as the platform logged it. D0 and D1 ask that online training be
// supervised by 实名制管理、人脸识别 so that 「学习过程可查询、可追溯」: each segment names the
// worker, class, lesson, platform, when, at what speed and from which client (hashed). Segments
// go in the worker's `attendance-{worker}` stream, which this decider folds to find overlaps.

export type SegmentEvent = {
  type: 'OnlineLearningSegmentRecorded'
  data: EventData<'OnlineLearningSegmentRecorded'>
}

/** The events of an attendance stream; face checks pass through the fold untouched (their data is not read). */
export type AttendanceEvent = Extract<
  DomainEventToAppend,
  { type: 'FaceCheckRecorded' | 'OnlineLearningSegmentRecorded' }
>

export interface AttendanceView {
  /** Recorded segments per class, as [start, end) in epoch ms. */
  segments: ReadonlyMap<string, readonly (readonly [number, number])[]>
}

export interface RecordOnlineSegment {
  kind: 'RecordOnlineSegment'
  segment: EventData<'OnlineLearningSegmentRecorded'>
  classView: ClassView
  /** The institution named as `platform`, as the training record has it. */
  platformView: InstitutionView
  now: number
  maxSkewMs: number
  playbackRate: { min: number; max: number }
}

export function evolveAttendance(view: AttendanceView, event: AttendanceEvent): AttendanceView {
  if (event.type !== 'OnlineLearningSegmentRecorded') return view
  const { class: id, start, end } = event.data
  const segments = new Map(view.segments)
  segments.set(id, [...(segments.get(id) ?? []), [Date.parse(start), Date.parse(end)]])
  return { segments }
}

function platformRule(command: RecordOnlineSegment, start: number): RuleViolation | undefined {
  const { platformView, segment } = command
  const day = chinaDate(start)
  const kinds = designationOn(platformView, day)
  if (kinds === undefined)
    return violation('platform-online', `${segment.platform} is not a designated institution on ${day}`)
  if (!kinds.includes('online_platform'))
    return violation(
      'platform-online',
      `${segment.platform} is not designated as an online training platform`,
    )
  return undefined
}

function decide(command: RecordOnlineSegment, view: AttendanceView): SegmentEvent[] {
  const { segment, classView, playbackRate } = command
  const start = Date.parse(segment.start)
  const end = Date.parse(segment.end)
  const overlapping = (view.segments.get(segment.class) ?? []).find(([s, e]) => s < end && start < e)
  // D0/D1 supervise online training so that 「学习过程可查询、可追溯」: the worker is on the roster
  // (实名制), the class is taught online, the platform is a designated one (D0 「线上培训平台审核、
  // 评价与退出机制」), and segments do not overlap. The playback range is platform practice.
  check(
    !classView.exists && violation('class-exists', `class ${segment.class} is not in the training record`),
    classView.exists &&
      classView.mode === 'offline' &&
      violation('class-online', `class ${segment.class} is taught offline`),
    classView.exists &&
      !classView.roster.has(segment.worker) &&
      violation('worker-enrolled', 'the worker is not on the class roster'),
    platformRule(command, start),
    end <= start && violation('segment-order', 'end must be after start'),
    end > command.now + command.maxSkewMs && violation('not-in-future', 'the segment ends in the future'),
    (segment.playbackRate < playbackRate.min || segment.playbackRate > playbackRate.max) &&
      violation(
        'playback-rate',
        `playbackRate ${segment.playbackRate} is outside ${playbackRate.min}–${playbackRate.max}`,
        { min: playbackRate.min, max: playbackRate.max },
      ),
    end > start &&
      overlapping !== undefined &&
      violation('segment-no-overlap', 'the segment overlaps one already recorded for this worker and class', {
        start: new Date(overlapping[0]).toISOString(),
        end: new Date(overlapping[1]).toISOString(),
      }),
  )
  return [{ type: 'OnlineLearningSegmentRecorded', data: segment }]
}

export const onlineSegmentDecider: Decider<AttendanceView, RecordOnlineSegment, AttendanceEvent> = {
  initialState: () => ({ segments: new Map() }),
  evolve: evolveAttendance,
  decide: (command, view) => decide(command, view),
}
