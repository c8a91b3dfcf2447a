import type { FraudRule } from '../detectors/fraud-rule.ts'
import { type ScheduleSlot, scheduleKey, scheduleOf } from './class-schedule.ts'
import { distanceKm } from './geo.ts'
import { fromFirst, insertSorted } from './sorted-list.ts'
import { localDay } from './time.ts'

// R4 (docs/fraud-rules.md): one worker in two places at once. Two passing face checks of a
// worker conflict when (a) they are further apart than `minDistanceKm` and the speed needed to
// get from one to the other exceeds `maxSpeedKmh` (impossible travel), or (b) they are for two
// different classes whose sessions overlap in time (two classes at once). Raised as the second
// check arrives, while the class runs; once per worker and local day.

interface Check {
  id: string
  at: number
  cls: string
  lat?: number
  lon?: number
  /** The session's scheduled interval, when the class's schedule was known. */
  s?: [number, number]
}

interface Presence {
  checks: Check[]
}

const hourMs = 3_600_000

const byTime = (a: Check, b: Check) => a.at - b.at || a.id.localeCompare(b.id)

export const r4ImpossiblePresence: FraudRule<'R4'> = {
  id: 'R4',
  title: 'Two classes at once, or impossible travel between face checks',
  reads: ['ClassOpened', 'FaceCheckRecorded'],
  keys: (event) => {
    if (event.type === 'ClassOpened') return [scheduleKey(event.data.class)]
    if (event.type === 'FaceCheckRecorded') return [`w:${event.data.worker}`, scheduleKey(event.data.class)]
    return []
  },
  async step(event, state, params) {
    if (event.type === 'ClassOpened') {
      state.set(scheduleKey(event.data.class), scheduleOf(event))
      return []
    }
    if (event.type !== 'FaceCheckRecorded' || event.data.result !== 'pass') return []
    const d = event.data
    const schedule = await state.get<ScheduleSlot>(scheduleKey(d.class))
    const slot = schedule?.sessions[d.session]
    const at = Date.parse(d.checkedAt)
    const check: Check = {
      id: event.id,
      at,
      cls: d.class,
      ...(d.place ? { lat: d.place.lat, lon: d.place.lon } : {}),
      ...(slot ? { s: [slot[0], slot[1]] as [number, number] } : {}),
    }
    const key = `w:${d.worker}`
    const presence = (await state.get<Presence>(key)) ?? { checks: [] }
    const windowMs = params.windowHours * hourMs

    const conflicts: string[] = []
    let worst = { speedKmh: 0, distanceKm: 0, minutes: 0 }
    let overlapping = false
    for (const other of presence.checks) {
      if (other.id === check.id || Math.abs(other.at - at) > windowMs) continue
      let conflict = false
      if (check.lat !== undefined && other.lat !== undefined) {
        const km = distanceKm({ lat: check.lat, lon: check.lon! }, { lat: other.lat, lon: other.lon! })
        const hours = Math.abs(at - other.at) / hourMs
        const speed = hours === 0 ? Number.POSITIVE_INFINITY : km / hours
        if (km > params.minDistanceKm && speed > params.maxSpeedKmh) {
          conflict = true
          if (speed > worst.speedKmh)
            worst = { speedKmh: Math.min(speed, 1e6), distanceKm: km, minutes: hours * 60 }
        }
      }
      if (
        other.cls !== check.cls &&
        check.s &&
        other.s &&
        check.s[0] < other.s[1] &&
        other.s[0] < check.s[1]
      ) {
        conflict = true
        overlapping = true
      }
      if (conflict) conflicts.push(other.id)
    }

    insertSorted(presence.checks, check, byTime)
    const latest = presence.checks[presence.checks.length - 1]!.at
    presence.checks = fromFirst(presence.checks, (c) => c.at >= latest - windowMs)
    state.set(key, presence)

    if (conflicts.length === 0) return []
    const reasons = [
      ...(worst.speedKmh > 0
        ? [
            `checks ${worst.distanceKm.toFixed(1)} km apart within ${worst.minutes.toFixed(0)} min (${worst.speedKmh >= 1e6 ? 'at the same instant' : `${worst.speedKmh.toFixed(0)} km/h`}, above ${params.maxSpeedKmh} km/h)`,
          ]
        : []),
      ...(overlapping ? ['passing checks in two classes whose sessions overlap'] : []),
    ]
    return [
      {
        subject: { kind: 'worker', id: d.worker },
        occurrence: localDay(at),
        evidence: conflicts,
        summary: `worker ${d.worker} present in two places: ${reasons.join('; ')}`,
        measures: {
          conflictingChecks: conflicts.length,
          ...(worst.speedKmh > 0 ? worst : {}),
        },
      },
    ]
  },
}
