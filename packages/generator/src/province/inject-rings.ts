import type { InjectedCase } from './inject.ts'
import { classEvent } from './inject-bookings.ts'
import { type ClassModel, firstInFeed, type Pending, type ProvinceModel } from './model.ts'
import { casesFor, type Picker } from './picker.ts'

// R12 injected: two institutions working as one. The second lists the first's teacher on its
// class (at other times, so no double booking) and runs a session's face checks through the
// first's terminal: two shared links of two kinds, which honest institutions never have.

export const ringPatterns = ['R12-shared-teacher-and-device'] as const
type RingPattern = (typeof ringPatterns)[number]

const overlaps = (a: ClassModel, b: ClassModel) => a.start < b.end && b.start < a.end

export function injectRings(
  model: ProvinceModel,
  rates: Partial<Record<RingPattern, number>>,
  pick: Picker,
): InjectedCase[] {
  const rng = model.rng
  const cases: InjectedCase[] = []
  // Any class of an institution no shared-teacher case joins yet, but not one whose terminal
  // carries R6's burst: moving its checks would hide that case.
  const free = (c: ClassModel) =>
    !c.mill && !pick.usedInstitutions.has(c.institution.id) && !pick.usedDevices.has(c.device)
  const checked = (c: ClassModel) =>
    c.sessions.find(
      (s) =>
        s.mode === 'offline' && c.members.some((m) => m.checks.some((p) => p.data.session === s.session)),
    )
  const partners = (y: ClassModel) =>
    model.classes.filter((x) => free(x) && x.institution !== y.institution && !overlaps(x, y))
  const eligible = model.classes.filter((y) => free(y) && checked(y) && partners(y).length > 0)
  const n = casesFor(rates['R12-shared-teacher-and-device'], eligible.length)
  for (const y of rng.sample(eligible, eligible.length)) {
    if (cases.length >= n) break
    if (!free(y)) continue
    const options = partners(y)
    if (options.length === 0) continue
    const x = rng.pick(options)
    for (const c of [x, y]) pick.usedInstitutions.add(c.institution.id)
    const teacher = (classEvent(model, x, 'ClassOpened').data.teachers as { teacher: string }[])[0]!.teacher
    for (const type of ['ClassOpeningApplied', 'ClassOpened'] as const) {
      const data = classEvent(model, y, type).data as { teachers: { teacher: string; role: string }[] }
      data.teachers = [...data.teachers, { teacher, role: 'practice' }]
    }
    const session = checked(y)!
    const moved: Pending[] = y.members.flatMap((m) =>
      m.checks.filter((p) => p.data.session === session.session),
    )
    for (const p of moved) {
      p.data.device = x.device
      p.actor = { ...p.actor, id: x.device }
    }
    const [a] = [x.institution.id, y.institution.id].sort() as [string, string]
    cases.push({
      rule: 'R12',
      pattern: 'R12-shared-teacher-and-device',
      subject: { kind: 'institution', id: a },
      events: [classEvent(model, y, 'ClassOpened').id, firstInFeed(moved)!.id],
      note: `${y.institution.id} lists ${teacher} of ${x.institution.id} on ${y.id} and runs session ${session.session}'s checks through ${x.device}`,
    })
  }
  return cases
}
