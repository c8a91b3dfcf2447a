import type { Actor } from '@trec/contracts'
import type { InjectedCase } from './inject.ts'
import {
  type ClassModel,
  dateOf,
  dayMs,
  hourMs,
  type InstitutionModel,
  iso,
  type Pending,
  type ProvinceModel,
} from './model.ts'
import { casesFor, type Picker } from './picker.ts'

// R5 injected: a class on paper that books, at the times of a real class's first offline
// sessions, that class's teacher (a rented teacher) or its classroom (a rented venue). The paper
// class belongs to another institution and opens a day after the real one, so it is the one R5
// names; it has no members, so no other rule sees it.

export const bookingPatterns = ['R5-teacher-double-booked', 'R5-venue-double-booked'] as const
type BookingPattern = (typeof bookingPatterns)[number]

/** The pending event of a class of type `type` (its application or opening). */
export function classEvent(
  model: ProvinceModel,
  cls: ClassModel,
  type: 'ClassOpeningApplied' | 'ClassOpened',
) {
  return model.events.find((e) => e.type === type && e.data.class === cls.id)!
}

interface PaperClass {
  id: string
  institution: InstitutionModel
  like: ClassModel
  slots: { start: number; end: number }[]
  teacher: string
  venue: string
}

/** A class that is applied for, reviewed, opened and closed, with nobody in it. */
function paperClass(model: ProvinceModel, p: PaperClass): Pending {
  const inst = p.institution
  const staff: Actor = { kind: 'institution_staff', id: `staff-${inst.id.slice(5)}`, institution: inst.id }
  const sessions = p.slots.map((s, i) => ({
    session: `${p.id}-s${String(i + 1).padStart(2, '0')}`,
    start: iso(s.start),
    end: iso(s.end),
    venue: p.venue,
    mode: 'offline' as const,
  }))
  const teachers = [{ teacher: p.teacher, role: 'both' as const }]
  const first = p.slots[0]!.start
  const last = p.slots[p.slots.length - 1]!.end
  const c = model.nextId()
  model.add(
    'ClassOpeningApplied',
    {
      class: p.id,
      institution: inst.id,
      programme: p.like.programme,
      region: inst.region,
      mode: 'offline',
      route: 'designated_institution',
      plannedStart: dateOf(first),
      plannedEnd: dateOf(last),
      plannedHours: sessions.length * 3,
      capacity: 50,
      sessions,
      teachers,
    },
    p.like.start - 19 * dayMs,
    staff,
    inst.region,
    c,
  )
  model.add(
    'PreTrainingReviewDecided',
    {
      class: p.id,
      outcome: 'passed',
      reviewer: { kind: 'authority', id: `hrss-${inst.city.code}` },
      reasons: [],
    },
    p.like.start - 9 * dayMs,
    { kind: 'reviewer', id: `rev-${inst.city.code}` },
    inst.region,
    c,
  )
  const opened = model.add(
    'ClassOpened',
    { class: p.id, institution: inst.id, sessions, teachers, roster: [] },
    p.like.start - 2 * dayMs,
    staff,
    inst.region,
    c,
  )
  model.add('ClassClosed', { class: p.id, reason: 'completed' }, last + 20 * hourMs, staff, inst.region, c)
  return opened
}

export function injectBookings(
  model: ProvinceModel,
  rates: Partial<Record<BookingPattern, number>>,
  pick: Picker,
): InjectedCase[] {
  const rng = model.rng
  const cases: InjectedCase[] = []
  const offline = (c: ClassModel) => c.sessions.filter((s) => s.mode === 'offline')
  let k = 0
  for (const pattern of bookingPatterns) {
    const classes = model.classes.filter(
      (c) =>
        !c.mill &&
        !pick.usedClasses.has(c.id) &&
        !pick.usedInstitutions.has(c.institution.id) &&
        offline(c).length >= 3,
    )
    for (const real of rng.sample(classes, casesFor(rates[pattern], classes.length))) {
      const others = model.institutions.filter(
        (i) => !i.mill && i !== real.institution && !pick.usedInstitutions.has(i.id),
      )
      if (others.length === 0) continue
      const owner = rng.pick(others)
      pick.usedClasses.add(real.id)
      const teacherCase = pattern === 'R5-teacher-double-booked'
      // A shared teacher is also a link of R12's graph: R12's own cases stay clear of this pair.
      if (teacherCase) for (const i of [real.institution, owner]) pick.usedInstitutions.add(i.id)
      const opened = classEvent(model, real, 'ClassOpened')
      const realData = opened.data as {
        teachers: { teacher: string }[]
        sessions: { venue: string; mode: string }[]
      }
      const id = `cls-${owner.id.slice(5)}-p${++k}`
      const paper = paperClass(model, {
        id,
        institution: owner,
        like: real,
        slots: offline(real).slice(0, 3),
        teacher: teacherCase ? realData.teachers[0]!.teacher : `tch-${owner.id.slice(5)}-p${k}`,
        venue: teacherCase
          ? `${owner.id} 实训教室P${k}`
          : realData.sessions.find((s) => s.mode === 'offline')!.venue,
      })
      cases.push({
        rule: 'R5',
        pattern,
        subject: { kind: 'class', id },
        events: [opened.id, paper.id],
        dueBy: iso(real.sessions[0]!.start),
        note: teacherCase
          ? `${id} of ${owner.id} books ${realData.teachers[0]!.teacher}, the teacher of ${real.id}, at the times of its first three offline sessions`
          : `${id} of ${owner.id} books the classroom of ${real.id} at the times of its first three offline sessions`,
      })
    }
  }
  return cases
}
