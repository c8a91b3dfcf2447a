import { chinaDayStart } from '@trec/core'
import type { AlertDraft, FraudRule } from '../detectors/fraud-rule.ts'
import { localDay } from './time.ts'

// R10 (docs/fraud-rules.md; National Audit Office 2023: 「外挂」 software to brush online courses):
// online-learning segments played faster than `maxPlaybackRate`, one worker's segments
// overlapping in time (two lessons played at once), more than `maxHoursPerDay` of study in a
// local day, one client fingerprint used by more than `maxWorkersPerFingerprint` workers, or a
// platform-signed segment of `idleMinutes` or more with no interaction (a player left running).
// Raised as the segments arrive, while the course runs.

/** `[start, end, eventId]` of a worker's recent segments, by start. */
interface Trail {
  segments: [number, number, string][]
}

interface FingerprintUse {
  workers: Record<string, string>
}

const hourMs = 3_600_000
const maxKept = 200

/** Length of the union of intervals, each clipped to `[from, to)`. */
function coveredMs(intervals: [number, number][], from: number, to: number): number {
  const parts = intervals
    .map(([s, e]) => [Math.max(s, from), Math.min(e, to)] as [number, number])
    .filter(([s, e]) => e > s)
    .sort((a, b) => a[0] - b[0])
  let total = 0
  let [cs, ce] = [Number.NaN, Number.NaN]
  for (const [s, e] of parts) {
    if (Number.isNaN(cs) || s > ce) {
      if (!Number.isNaN(cs)) total += ce - cs
      ;[cs, ce] = [s, e]
    } else ce = Math.max(ce, e)
  }
  if (!Number.isNaN(cs)) total += ce - cs
  return total
}

export const r10OnlineBrushing: FraudRule<'R10'> = {
  id: 'R10',
  title: 'Online-course brushing',
  reads: ['OnlineLearningSegmentRecorded'],
  keys: (event) =>
    event.type === 'OnlineLearningSegmentRecorded'
      ? [`w:${event.data.worker}`, `f:${event.data.clientFingerprint}`]
      : [],
  async step(event, state, params) {
    if (event.type !== 'OnlineLearningSegmentRecorded') return []
    const d = event.data
    const drafts: AlertDraft[] = []
    const worker = { kind: 'worker' as const, id: d.worker }
    const start = Date.parse(d.start)
    const end = Date.parse(d.end)

    if (d.playbackRate > params.maxPlaybackRate)
      drafts.push({
        subject: worker,
        occurrence: `${d.class}:rate`,
        evidence: [],
        summary: `lesson ${d.lesson} of class ${d.class} played at ${d.playbackRate}×, above ${params.maxPlaybackRate}×`,
        measures: { playbackRate: d.playbackRate, maxPlaybackRate: params.maxPlaybackRate },
      })

    if (d.signedBy !== undefined && d.interactions === 0 && end - start >= params.idleMinutes * 60_000)
      drafts.push({
        subject: worker,
        occurrence: `${d.class}:idle`,
        evidence: [],
        summary: `${Math.round((end - start) / 60_000)} min of lesson ${d.lesson} (class ${d.class}) played with no interaction`,
        measures: { minutes: (end - start) / 60_000, idleMinutes: params.idleMinutes },
      })

    const key = `w:${d.worker}`
    const trail = (await state.get<Trail>(key)) ?? { segments: [] }
    const tolerance = params.overlapToleranceSeconds * 1000
    const overlapping = trail.segments.filter(
      ([s, e, id]) => id !== event.id && Math.min(e, end) - Math.max(s, start) > tolerance,
    )
    if (overlapping.length > 0)
      drafts.push({
        subject: worker,
        occurrence: `${d.class}:overlap`,
        evidence: overlapping.map(([, , id]) => id),
        summary: `segment of lesson ${d.lesson} (class ${d.class}) overlaps ${overlapping.length} other segment(s) of the same worker`,
        measures: {
          overlapMinutes:
            Math.max(...overlapping.map(([s, e]) => Math.min(e, end) - Math.max(s, start))) / 60_000,
        },
      })

    trail.segments.push([start, end, event.id])
    trail.segments.sort((a, b) => a[0] - b[0] || a[2].localeCompare(b[2]))
    const latest = Math.max(...trail.segments.map(([, e]) => e))
    trail.segments = trail.segments
      .filter(([, e]) => e >= latest - params.windowDays * 24 * hourMs)
      .slice(-maxKept)
    state.set(key, trail)

    const day = localDay(start)
    const dayStart = chinaDayStart(day)
    const studied = coveredMs(
      trail.segments.map(([s, e]) => [s, e]),
      dayStart,
      dayStart + 24 * hourMs,
    )
    if (studied > params.maxHoursPerDay * hourMs)
      drafts.push({
        subject: worker,
        occurrence: `day:${day}`,
        evidence: trail.segments
          .filter(([s, e]) => e > dayStart && s < dayStart + 24 * hourMs)
          .map(([, , id]) => id),
        summary: `${(studied / hourMs).toFixed(1)} h of online study on ${day}, above ${params.maxHoursPerDay} h`,
        measures: { hours: studied / hourMs, maxHoursPerDay: params.maxHoursPerDay },
      })

    const fKey = `f:${d.clientFingerprint}`
    const fingerprint = (await state.get<FingerprintUse>(fKey)) ?? { workers: {} }
    if (fingerprint.workers[d.worker] === undefined) {
      if (Object.keys(fingerprint.workers).length < maxKept) fingerprint.workers[d.worker] = event.id
      state.set(fKey, fingerprint)
      const count = Object.keys(fingerprint.workers).length
      if (count > params.maxWorkersPerFingerprint)
        drafts.push({
          subject: { kind: 'fingerprint', id: d.clientFingerprint },
          occurrence: '',
          evidence: Object.values(fingerprint.workers),
          summary: `one client fingerprint used by ${count} workers (${Object.keys(fingerprint.workers).join(', ')}), above ${params.maxWorkersPerFingerprint}`,
          measures: { workers: count },
        })
    }
    return drafts
  },
}
