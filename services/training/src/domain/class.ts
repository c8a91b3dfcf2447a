import { check, type Decider } from '@trec/command'
import type { EventData, EventDataToAppend } from '@trec/contracts'
import type { Programme } from './catalogue.ts'
import {
  type CatalogueFacts,
  institutionNotListed,
  programmeNotInForce,
  programmeWithdrawn,
} from './catalogue-checks.ts'
import { type InstitutionState, notInForce } from './institution.ts'
import { violation } from './rules.ts'
import { overlapsWithin, scheduleEnd } from './schedule.ts'
import { chinaDate, dateWithin } from './time.ts'

// A class (`class-{id}`) from 开班申请 to closing (docs/domain.md §2 steps 3–5; D1 开班申请, D3 培训前审核):
// applied → reviewed (passed or rejected) → opened → closed, with workers joining its roster
// once it is open. The institution and programme an application names are read by the caller
// from their own streams and passed in with the command.

export type Session = EventData<'ClassOpened'>['sessions'][number]
export type Teacher = EventData<'ClassOpened'>['teachers'][number]

// What this context appends. An application read back from version 1 history has no sessions
// or teachers; the state keeps the read shape, where both are optional.
export type ClassEvent =
  | { type: 'ClassOpeningApplied'; data: EventDataToAppend<'ClassOpeningApplied'> }
  | { type: 'PreTrainingReviewDecided'; data: EventData<'PreTrainingReviewDecided'> }
  | { type: 'ClassOpened'; data: EventData<'ClassOpened'> }
  | { type: 'ClassClosed'; data: EventData<'ClassClosed'> }
  | { type: 'RosterEntryAdded'; data: EventData<'RosterEntryAdded'> }

export type ClassStatus = 'none' | 'applied' | 'rejected' | 'approved' | 'opened' | 'closed'

export interface ClassState {
  status: ClassStatus
  application?: EventData<'ClassOpeningApplied'>
  review?: EventData<'PreTrainingReviewDecided'>
  opening?: EventData<'ClassOpened'>
  closing?: EventData<'ClassClosed'>
  roster: string[]
}

export interface ApplyCommand {
  kind: 'apply'
  class: string
  institution: string
  institutionState: InstitutionState
  programme: string
  /** The programme as the catalogue of the institution's region (or above) has it; absent if not found. */
  programmeEntry: Programme | undefined
  mode: EventData<'ClassOpeningApplied'>['mode']
  route: EventData<'ClassOpeningApplied'>['route']
  plannedHours: number
  capacity: number
  sessions: Session[]
  teachers: Teacher[]
  /** 企业新型学徒制: the class's other training base (a school or training institution). */
  jointBase?: string | undefined
  /** The programme's history and, when the rule set requires it, the institution's listing. */
  catalogue?: CatalogueFacts
  now: string
}

export type ClassCommand =
  | ApplyCommand
  | { kind: 'review'; data: EventData<'PreTrainingReviewDecided'> }
  | { kind: 'open'; institutionState: InstitutionState; catalogue?: CatalogueFacts; now: string }
  | { kind: 'close'; reason: EventData<'ClassClosed'>['reason']; note?: string; now: string }

/** The schedule: as opened, or as applied for before that. */
export function sessionsOf(state: ClassState): Session[] {
  return state.opening?.sessions ?? state.application?.sessions ?? []
}

const collegeKinds = new Set(['vocational_college', 'technical_school'])

function decideApply(command: ApplyCommand, state: ClassState): ClassEvent[] {
  const { sessions, programmeEntry: programme } = command
  const today = chinaDate(command.now)
  const kinds = command.institutionState.designation?.kinds ?? []
  const overlapping = overlapsWithin(sessions).map(([i, j]) => [sessions[i]!.session, sessions[j]!.session])
  const outside = programme
    ? sessions.filter(
        (s) =>
          !dateWithin(chinaDate(s.start), programme.effectiveFrom, programme.effectiveTo) ||
          !dateWithin(chinaDate(s.end), programme.effectiveFrom, programme.effectiveTo),
      )
    : []
  const started = sessions.filter((s) => Date.parse(s.start) <= Date.parse(command.now))
  const startDay = sessions.map((s) => chinaDate(s.start)).sort()[0] ?? today
  const facts = command.catalogue ?? {}
  check(
    state.status !== 'none' && violation('class-already-applied', 'this class has already been applied for'),
    notInForce(command.institutionState, today),
    command.route === 'public_college' &&
      !kinds.some((k) => collegeKinds.has(k)) &&
      violation('public-college-route', 'the institution is not a 职业院校 or 技工院校', { kinds }),
    !programme &&
      violation('programme-unknown', "the programme is not in the catalogue of the institution's region", {
        programme: command.programme,
      }),
    overlapping.length > 0 && violation('sessions-overlap', 'sessions of the class overlap', { overlapping }),
    outside.length > 0 &&
      violation('sessions-outside-programme', 'sessions fall outside the days the programme is in force', {
        sessions: outside.map((s) => s.session),
        effectiveFrom: programme!.effectiveFrom,
        ...(programme!.effectiveTo === undefined ? {} : { effectiveTo: programme!.effectiveTo }),
      }),
    started.length > 0 &&
      violation('sessions-started', 'sessions have already begun', {
        sessions: started.map((s) => s.session),
      }),
    programmeWithdrawn(facts, startDay),
    institutionNotListed(facts, command.institution, startDay),
  )
  const ordered = [...sessions].sort((a, b) => Date.parse(a.start) - Date.parse(b.start))
  const dates = ordered.flatMap((s) => [chinaDate(s.start), chinaDate(s.end)]).sort()
  return [
    {
      type: 'ClassOpeningApplied',
      data: {
        class: command.class,
        institution: command.institution,
        programme: command.programme,
        region: command.institutionState.designation!.region,
        mode: command.mode,
        route: command.route,
        plannedStart: dates[0]!,
        plannedEnd: dates.at(-1)!,
        plannedHours: command.plannedHours,
        capacity: command.capacity,
        sessions: ordered,
        teachers: command.teachers,
        ...(command.jointBase === undefined ? {} : { jointBase: command.jointBase }),
      },
    },
  ]
}

/** At 开班, the catalogues on the class's start day: its programme and (when required) its institution's listing. */
function opensOnCatalogue(state: ClassState, facts: CatalogueFacts | undefined) {
  const application = state.application
  if (!facts || !application) return []
  const start = application.plannedStart
  return [
    programmeWithdrawn(facts, start),
    programmeNotInForce(facts, start),
    institutionNotListed(facts, application.institution, start),
  ]
}

function closedOrOpened(state: ClassState) {
  if (state.status === 'closed')
    return violation('class-closed', 'the class is closed', { reason: state.closing?.reason })
  if (state.status === 'opened') return violation('class-already-opened', 'the class is already open')
  return undefined
}

export const classDecider: Decider<ClassState, ClassCommand, ClassEvent> = {
  initialState: () => ({ status: 'none', roster: [] }),
  evolve(state, event) {
    switch (event.type) {
      case 'ClassOpeningApplied':
        return { ...state, status: 'applied', application: event.data }
      case 'PreTrainingReviewDecided':
        return {
          ...state,
          status: event.data.outcome === 'passed' ? 'approved' : 'rejected',
          review: event.data,
        }
      case 'ClassOpened':
        return { ...state, status: 'opened', opening: event.data, roster: [...event.data.roster] }
      case 'ClassClosed':
        return { ...state, status: 'closed', closing: event.data }
      case 'RosterEntryAdded':
        return { ...state, roster: [...state.roster, event.data.worker] }
    }
  },
  decide(command, state) {
    switch (command.kind) {
      case 'apply':
        return decideApply(command, state)
      case 'review':
        check(
          state.status !== 'applied' &&
            violation('review-not-pending', 'the application is not awaiting review', {
              status: state.status,
            }),
        )
        return [{ type: 'PreTrainingReviewDecided', data: command.data }]
      case 'open': {
        check(
          closedOrOpened(state) ??
            (state.status !== 'approved' &&
              violation('review-not-passed', 'the 培训前审核 has not passed', { status: state.status })),
          notInForce(command.institutionState, chinaDate(command.now)),
          ...opensOnCatalogue(state, command.catalogue),
        )
        const { class: id, institution, sessions = [], teachers = [] } = state.application!
        return [{ type: 'ClassOpened', data: { class: id, institution, sessions, teachers, roster: [] } }]
      }
      case 'close': {
        const completing = command.reason === 'completed'
        const lastEnd = scheduleEnd(sessionsOf(state))
        check(
          state.status === 'closed' && violation('class-closed', 'the class is already closed'),
          completing &&
            state.status !== 'opened' &&
            state.status !== 'closed' &&
            violation('class-not-opened', 'only an open class completes', { status: state.status }),
          completing &&
            state.status === 'opened' &&
            Date.parse(command.now) < lastEnd &&
            violation('completed-before-last-session', 'the last session has not ended', {
              lastSessionEnds: new Date(lastEnd).toISOString(),
            }),
        )
        const data = { class: state.application!.class, reason: command.reason }
        return [
          { type: 'ClassClosed', data: command.note === undefined ? data : { ...data, note: command.note } },
        ]
      }
    }
  },
}
