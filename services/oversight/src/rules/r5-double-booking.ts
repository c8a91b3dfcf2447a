import type { AlertDraft, FraudRule } from '../detectors/fraud-rule.ts'

// R5 (docs/fraud-rules.md): rented teachers and venues. A teacher, or a classroom, can serve one
// offline session at a time, so a class whose schedule books a teacher or a venue already booked
// by another class at overlapping times (beyond `overlapToleranceMinutes`, a changeover) exists
// at least partly on paper. Judged from each class's schedule and teacher list as it opens
// (`ClassOpened`, the schedule the 培训前审核 passed), before any session runs: the class that
// opens second is the subject, the other class's opening is the evidence. Teachers are listed per
// class (the schedule names none per session), so every offline session of a class books all of
// its teachers. Online sessions name a platform, not a room, and book nothing. A class cancelled
// (`ClassClosed`, reason cancelled) gives its bookings back.

/** A booking: `[start, end, class, ClassOpened id]`, epoch ms. */
type Booking = [number, number, string, string]

interface Bookings {
  list: Booking[]
}

const dayMs = 86_400_000
const minuteMs = 60_000

const teacherKey = (teacher: string) => `t:${teacher}`
const venueKey = (venue: string) => `v:${venue}`
/** The teacher and venue slots a class booked, so a cancellation can free them. */
const classKey = (cls: string) => `c:${cls}`

/** The offline sessions of a class: `[start, end]`, epoch ms. */
function offlineSlots(sessions: readonly { start: string; end: string; mode: string }[]): [number, number][] {
  return sessions.filter((s) => s.mode === 'offline').map((s) => [Date.parse(s.start), Date.parse(s.end)])
}

interface Clash {
  classes: Map<string, string>
  sessions: number
  minutes: number
}

/** Which of `slots` overlap bookings of other classes by more than `toleranceMs`. */
function clashes(
  slots: [number, number][],
  booked: readonly Booking[],
  cls: string,
  toleranceMs: number,
): Clash {
  const classes = new Map<string, string>()
  let sessions = 0
  let minutes = 0
  for (const [start, end] of slots) {
    let clashed = false
    for (const [bStart, bEnd, bClass, bEvent] of booked) {
      if (bClass === cls) continue
      const overlap = Math.min(end, bEnd) - Math.max(start, bStart)
      if (overlap <= toleranceMs) continue
      clashed = true
      minutes += overlap / minuteMs
      if (!classes.has(bClass)) classes.set(bClass, bEvent)
    }
    if (clashed) sessions += 1
  }
  return { classes, sessions, minutes }
}

/** Adds the class's slots to a teacher's or venue's bookings and drops those beyond the horizon. */
function book(bookings: Bookings, slots: [number, number][], cls: string, event: string, horizonMs: number) {
  const list = bookings.list.filter(([, , c]) => c !== cls)
  for (const [start, end] of slots) list.push([start, end, cls, event])
  const latest = Math.max(...list.map(([, end]) => end))
  bookings.list = list.filter(([, end]) => end >= latest - horizonMs).sort((a, b) => a[0] - b[0])
}

export const r5DoubleBooking: FraudRule<'R5'> = {
  id: 'R5',
  title: 'A teacher or a venue booked in two classes at once',
  reads: ['ClassOpened', 'ClassClosed'],
  keys: (event) => {
    if (event.type === 'ClassClosed') return [classKey(event.data.class)]
    if (event.type !== 'ClassOpened') return []
    const venues = new Set(event.data.sessions.filter((s) => s.mode === 'offline').map((s) => s.venue))
    const teachers = new Set(event.data.teachers.map((t) => t.teacher))
    return [...[...teachers].map(teacherKey), ...[...venues].map(venueKey)]
  },
  async step(event, state, params) {
    if (event.type === 'ClassClosed') {
      // A class cancelled before it ran frees its teachers and rooms for classes that open later.
      if (event.data.reason !== 'cancelled') return []
      const cls = event.data.class
      for (const key of (await state.get<string[]>(classKey(cls))) ?? []) {
        const bookings = await state.get<Bookings>(key)
        if (bookings) state.set(key, { list: bookings.list.filter(([, , c]) => c !== cls) })
      }
      state.delete(classKey(cls))
      return []
    }
    if (event.type !== 'ClassOpened') return []
    const d = event.data
    const booked: string[] = []
    const toleranceMs = params.overlapToleranceMinutes * minuteMs
    const horizonMs = params.horizonDays * dayMs
    const drafts: AlertDraft[] = []
    const judge = async (key: string, slots: [number, number][], what: string, occurrence: string) => {
      if (slots.length === 0) return
      const bookings = (await state.get<Bookings>(key)) ?? { list: [] }
      const found = clashes(slots, bookings.list, d.class, toleranceMs)
      book(bookings, slots, d.class, event.id, horizonMs)
      state.set(key, bookings)
      booked.push(key)
      if (found.classes.size === 0) return
      drafts.push({
        subject: { kind: 'class', id: d.class },
        occurrence,
        evidence: [...found.classes.values()],
        summary: `${what} is booked for ${found.sessions} offline session(s) of ${d.class} that overlap sessions of ${[...found.classes.keys()].join(', ')}`,
        measures: { sessions: found.sessions, overlapMinutes: found.minutes, classes: found.classes.size },
      })
    }
    const slots = offlineSlots(d.sessions)
    for (const teacher of new Set(d.teachers.map((t) => t.teacher)))
      await judge(teacherKey(teacher), slots, `teacher ${teacher}`, `teacher:${teacher}`)
    const venues = [...new Set(d.sessions.filter((s) => s.mode === 'offline').map((s) => s.venue))]
    for (const venue of venues) {
      const here = offlineSlots(d.sessions.filter((s) => s.venue === venue))
      await judge(venueKey(venue), here, `venue ${venue}`, `venue:${venue}`)
    }
    state.set(classKey(d.class), booked)
    return drafts
  },
}
