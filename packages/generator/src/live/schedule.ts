import type { Random } from '../province/random.ts'
import type { PlannedClass, PlannedWorker } from './plan.ts'

// A class's sessions once its first one is fixed, and the face checks of its terminal: a queue
// before each session (one person every 5–8 s, so never more than six in 30 s), inside the 15
// minutes before a session that the attendance service accepts, plus the injected fraud.

export interface Session {
  session: string
  start: string
  end: string
}

export interface FaceCheck {
  worker: PlannedWorker
  session: string
  checkedAt: string
  purpose: 'sign_in' | 'spot'
  template: string
  place: { lat: number; lon: number }
}

const minute = 60_000
/** The attendance service accepts a check up to 15 minutes before its session; keep a margin. */
const queueOpens = 12 * minute

export function sessionsFrom(first: number, count: number, minutes: number): Session[] {
  return Array.from({ length: count }, (_, i) => ({
    session: `s${String(i + 1).padStart(2, '0')}`,
    start: new Date(first + i * minutes * minute).toISOString(),
    end: new Date(first + (i + 1) * minutes * minute).toISOString(),
  }))
}

const jitter = (rng: Random, p: { lat: number; lon: number }) => ({
  lat: Math.round((p.lat + rng.between(-0.0003, 0.0003)) * 1e6) / 1e6,
  lon: Math.round((p.lon + rng.between(-0.0003, 0.0003)) * 1e6) / 1e6,
})

/** Every check the class's terminal uploads, in time order. */
export function checksOf(cls: PlannedClass, sessions: readonly Session[], rng: Random): FaceCheck[] {
  const checks: FaceCheck[] = []
  let cursor = Date.parse(sessions[0]!.start) - queueOpens
  sessions.forEach((s, i) => {
    const start = Date.parse(s.start)
    const end = Date.parse(s.end)
    cursor = Math.max(cursor, start - queueOpens)
    for (const w of rng.sample(
      cls.members.filter((m) => m.present[i]),
      cls.members.length,
    )) {
      cursor += rng.int(5_000, 8_000)
      if (cursor > end)
        throw new Error(
          `the ${cls.members.length} members of class ${cls.key} cannot all sign in before session ${s.session} ends: use longer or more spread sessions`,
        )
      const template = i === 0 && cls.sharedTemplate?.[1] === w ? cls.sharedTemplate[0].template : w.template
      checks.push({
        worker: w,
        session: s.session,
        checkedAt: new Date(cursor).toISOString(),
        purpose: 'sign_in',
        template,
        place: jitter(rng, cls.place),
      })
    }
  })
  const first = sessions[0]!
  const opened = Date.parse(first.start)
  const firstEnd = Date.parse(first.end)
  if (cls.burst)
    // Nine workers through the terminal in 27 s: photos held up to the camera, not a queue.
    cls.members.slice(0, 9).forEach((w, k) => {
      checks.push({
        worker: w,
        session: first.session,
        checkedAt: new Date(Math.min(firstEnd, opened + 3_000 + k * 3_000)).toISOString(),
        purpose: 'spot',
        template: w.template,
        place: jitter(rng, cls.place),
      })
    })
  if (cls.travel)
    // A spot check 1.2° north and east (about 170 km) of the classroom, soon after the sign-in.
    checks.push({
      worker: cls.travel,
      session: first.session,
      checkedAt: new Date(Math.min(firstEnd, opened + 10_000)).toISOString(),
      purpose: 'spot',
      template: cls.travel.template,
      place: { lat: cls.place.lat + 1.2, lon: cls.place.lon + 1.2 },
    })
  return checks.sort((a, b) => Date.parse(a.checkedAt) - Date.parse(b.checkedAt))
}
