import { check } from '@trec/command'
import { type AttendancePolicy, computeAttendance } from '@trec/contracts'
import type { AttendanceFacts, ClassFacts, TrainingFacts } from './facts.ts'
import { rules } from './rules.ts'
import type { AssessmentEvent, AssessmentState } from './state.ts'

// 结业: a worker's completion of a class, with the attendance share computed from the record
// (see @trec/contracts, reading/attendance-hours.ts) and judged against the configured minimum for the class's region.

export interface CompletionPolicy extends AttendancePolicy {
  /**
   * The least attendance share that passes. National practice, not in the seeds (docs/domain.md §3,
   * "minimum attendance share"; docs/architecture.md, "Rules come from data"): provincial 实名制 rules
   * commonly ask for 80% or more, some for 90%. Configured per region.
   */
  minimumAttendanceShare: number
  /**
   * When a completion may be recorded: only after the class's ClassClosed, or once its last
   * scheduled session has ended (a ClassClosed also suffices). National practice, configurable.
   */
  completionAfter: 'class_closed' | 'last_session_ended'
}

export interface CompleteTraining {
  type: 'CompleteTraining'
  worker: string
  class: string
  /** When the command is decided (the service's clock), ISO 8601. */
  at: string
  classFacts: ClassFacts
  training: TrainingFacts
  attendance: AttendanceFacts
  policy: CompletionPolicy
}

function classEnded(command: CompleteTraining) {
  const { classFacts: c, policy, at } = command
  if (!c.opened) return undefined
  if (c.closed !== undefined && c.closed !== 'completed')
    return {
      rule: rules.completionClassStopped.id,
      message: `class ${c.class} was closed as ${c.closed}`,
      details: { class: c.class, closed: c.closed },
    }
  if (c.closed === 'completed') return undefined
  const lastEnd = Math.max(...c.sessions.map((s) => Date.parse(s.end)))
  if (policy.completionAfter === 'last_session_ended' && lastEnd <= Date.parse(at)) return undefined
  return {
    rule: rules.completionClassEnded.id,
    message:
      policy.completionAfter === 'class_closed'
        ? `class ${c.class} is not closed yet`
        : `class ${c.class} is not closed and its last session has not ended`,
    details: {
      class: c.class,
      completionAfter: policy.completionAfter,
      lastSessionEnd: new Date(lastEnd).toISOString(),
    },
  }
}

export function decideCompletion(command: CompleteTraining, state: AssessmentState): AssessmentEvent[] {
  const { worker, class: classId, classFacts: c, training, attendance, policy } = command
  check(
    !c.opened && {
      rule: rules.completionClassOpened.id,
      message: `class ${classId} has not been opened`,
      details: { class: classId },
    },
    !training.enrolledClasses.includes(classId) && {
      rule: rules.completionEnrolled.id,
      message: `the worker is not enrolled in class ${classId}`,
      details: { class: classId },
    },
    training.identity !== 'verified' && {
      rule: rules.completionIdentityVerified.id,
      message: `the worker's identity is not verified (${training.identity})`,
      details: { identity: training.identity },
    },
    classEnded(command),
    state.completions.has(classId) && {
      rule: rules.completionOnce.id,
      message: `the worker's completion of class ${classId} is already recorded`,
      details: { class: classId, passed: state.completions.get(classId) },
    },
  )
  const share = computeAttendance(
    c.sessions,
    attendance.faceChecks,
    attendance.segments,
    policy,
    attendance.taps,
  )
  return [
    {
      type: 'TrainingCompleted',
      data: {
        worker,
        class: classId,
        attendedHours: share.attendedHours,
        requiredHours: share.requiredHours,
        attendanceShare: share.attendanceShare,
        minimumAttendanceShare: policy.minimumAttendanceShare,
        passed: share.attendanceShare >= policy.minimumAttendanceShare,
        evidence: share.evidence,
      },
    },
  ]
}
