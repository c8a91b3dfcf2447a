import {
  type AttendanceFacts,
  attendanceFacts,
  type DomainEvent,
  type EventData,
  type FaceCheckFact,
  type ScheduledSession,
  type SegmentFact,
} from '@trec/contracts'

// What the assessment context reads from streams other contexts own (docs/architecture.md: services
// never write each other's streams; they may read them). Each fold is pure: the route reads and
// decodes the streams, these functions turn the events into the facts a command carries.

export type ClosingReason = EventData<'ClassClosed'>['reason']

export interface ClassFacts {
  class: string
  /** 行政区划代码 of the class, from its 开班申请. */
  region?: string
  institution?: string
  opened: boolean
  sessions: ScheduledSession[]
  closed?: ClosingReason
}

/** The class as `class-{id}` records it: application, opening (with its schedule), closing. */
export function classFacts(classId: string, events: readonly DomainEvent[]): ClassFacts {
  const facts: ClassFacts = { class: classId, opened: false, sessions: [] }
  for (const event of events) {
    switch (event.type) {
      case 'ClassOpeningApplied':
        facts.region = event.data.region
        facts.institution = event.data.institution
        break
      case 'ClassOpened':
        facts.opened = true
        facts.institution = event.data.institution
        facts.sessions = event.data.sessions.map(({ session, start, end, mode }) => ({
          session,
          start,
          end,
          mode,
        }))
        break
      case 'ClassClosed':
        facts.closed = event.data.reason
        break
    }
  }
  return facts
}

export type IdentityOutcome = EventData<'IdentityVerified'>['result'] | 'none'

export interface TrainingFacts {
  /** Classes the worker is enrolled in (WorkerEnrolled). */
  enrolledClasses: string[]
  /** The latest 实名认证 outcome that applies to the class (or to the worker at large). */
  identity: IdentityOutcome
}

/**
 * The worker's `training-{worker}` record. An identity check names a class or none; for a class,
 * the latest check that names it or none decides, so a later mismatch overrides an earlier match.
 */
export function trainingFacts(events: readonly DomainEvent[], classId?: string): TrainingFacts {
  const enrolled = new Set<string>()
  let identity: IdentityOutcome = 'none'
  for (const event of events) {
    if (event.type === 'WorkerEnrolled') enrolled.add(event.data.class)
    else if (
      event.type === 'IdentityVerified' &&
      (event.data.class === undefined || event.data.class === classId)
    )
      identity = event.data.result
  }
  return { enrolledClasses: [...enrolled], identity }
}

export type { AttendanceFacts, FaceCheckFact, ScheduledSession, SegmentFact }
export { attendanceFacts }
