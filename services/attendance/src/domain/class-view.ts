import type { EventData } from '@trec/contracts'

// What attendance needs to know about a class, folded from the training service's `class-{id}`
// stream (read, never written here): who owns it, where it is, its schedule and roster, and
// whether and when it closed. Times are kept as epoch milliseconds so a batch of hundreds of
// checks compares numbers, not strings.

export interface SessionWindow {
  start: number
  end: number
  mode: 'offline' | 'online'
  venue: string
}

export interface ClassView {
  /** A `ClassOpeningApplied` was seen: the class exists, with its institution and region. */
  exists: boolean
  institution?: string
  /** 行政区划代码 from the opening application: the region of every event about the class. */
  region?: string
  mode?: 'offline' | 'online' | 'blended'
  /** A `ClassOpened` was seen: schedule and roster are known. */
  opened: boolean
  roster: ReadonlySet<string>
  sessions: ReadonlyMap<string, SessionWindow>
  /** When the class closed (the closing event's occurredAt), if it has. */
  closedAt?: number
  closedReason?: EventData<'ClassClosed'>['reason']
}

/** A class-stream event as the fold needs it: type, data and when it happened. */
export type ClassFact =
  | { type: 'ClassOpeningApplied'; data: EventData<'ClassOpeningApplied'>; occurredAt?: string }
  | { type: 'ClassOpened'; data: EventData<'ClassOpened'>; occurredAt?: string }
  | { type: 'RosterEntryAdded'; data: EventData<'RosterEntryAdded'>; occurredAt?: string }
  | { type: 'ClassClosed'; data: EventData<'ClassClosed'>; occurredAt: string }
  | { type: string & {}; data: unknown; occurredAt?: string }

interface Building extends ClassView {
  roster: Set<string>
  sessions: Map<string, SessionWindow>
}

export function emptyClassView(): ClassView {
  return { exists: false, opened: false, roster: new Set(), sessions: new Map() }
}

/**
 * Applies one event in place. The roster is the opening's list plus every `RosterEntryAdded`
 * (contracts README, "Reading the training streams"); the schedule is the opening's sessions.
 */
function apply(view: Building, fact: ClassFact): void {
  switch (fact.type) {
    case 'ClassOpeningApplied': {
      const data = fact.data as EventData<'ClassOpeningApplied'>
      Object.assign(view, {
        exists: true,
        institution: data.institution,
        region: data.region,
        mode: data.mode,
      })
      return
    }
    case 'ClassOpened': {
      const data = fact.data as EventData<'ClassOpened'>
      view.opened = true
      view.institution = data.institution
      for (const worker of data.roster) view.roster.add(worker)
      view.sessions.clear()
      for (const s of data.sessions)
        view.sessions.set(s.session, {
          start: Date.parse(s.start),
          end: Date.parse(s.end),
          mode: s.mode,
          venue: s.venue,
        })
      return
    }
    case 'RosterEntryAdded':
      view.roster.add((fact.data as EventData<'RosterEntryAdded'>).worker)
      return
    case 'ClassClosed':
      if (view.closedAt !== undefined) return
      view.closedAt = fact.occurredAt === undefined ? Number.NaN : Date.parse(fact.occurredAt)
      view.closedReason = (fact.data as EventData<'ClassClosed'>).reason
      return
  }
}

/** Folds one class-stream event into a new view; event types attendance does not use change nothing. */
export function evolveClassView(view: ClassView, fact: ClassFact): ClassView {
  const next: Building = { ...view, roster: new Set(view.roster), sessions: new Map(view.sessions) }
  apply(next, fact)
  return next
}

/** Folds a whole class stream, in place: linear in the stream, however long the roster grows. */
export function foldClassView(facts: Iterable<ClassFact>): ClassView {
  const view: Building = { exists: false, opened: false, roster: new Set(), sessions: new Map() }
  for (const fact of facts) apply(view, fact)
  return view
}
