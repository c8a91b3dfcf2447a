import { clockOption, objectWith, parseServiceOptions } from '@trec/contracts'
import type { EventStore } from '@trec/eventstore'
import { z } from 'zod'

// The service's options. The thresholds are national practice, not in the seeds (docs/domain.md §2
// step 7: offline face-check attendance and its time windows; 倍速 limits of online platforms),
// so they are settings with defaults, never constants in the rules.

const minutes = z
  .number()
  .min(0)
  .max(24 * 60)

export const attendanceOptionsSchema = z.strictObject({
  store: objectWith<EventStore>('an EventStore', 'appendMany'),
  clock: clockOption(),
  /** How long before a session starts and after it ends a face check still counts. */
  sessionTolerance: z
    .strictObject({ beforeMinutes: minutes, afterMinutes: minutes })
    .default({ beforeMinutes: 15, afterMinutes: 0 }),
  /** Playback speeds a platform may report for a segment; others are refused. */
  playbackRate: z
    .strictObject({ min: z.number().positive().max(16), max: z.number().positive().max(16) })
    .refine((r) => r.min <= r.max, { message: 'min must not exceed max', path: ['min'] })
    .default({ min: 0.5, max: 2 }),
  /** How far ahead of the server's clock a device or platform clock may run. */
  maxClockSkewSeconds: z.number().min(0).max(3600).default(300),
  /** Classes and devices whose folded state is kept between requests (checked against the stream revision each time). */
  cacheEntries: z.int().min(0).max(1_000_000).default(10_000),
})

export type AttendanceOptions = z.input<typeof attendanceOptionsSchema>

export interface ResolvedOptions {
  store: EventStore
  clock: () => Date
  tolerance: { beforeMs: number; afterMs: number }
  playbackRate: { min: number; max: number }
  maxSkewMs: number
  cacheEntries: number
}

/** Checks the options and fills in the defaults; a wrong setting fails at start-up, not on a request. */
export function resolveOptions(input: AttendanceOptions): ResolvedOptions {
  const o = parseServiceOptions(attendanceOptionsSchema, input, 'attendance service')
  return {
    store: o.store,
    clock: o.clock ?? (() => new Date()),
    tolerance: {
      beforeMs: o.sessionTolerance.beforeMinutes * 60_000,
      afterMs: o.sessionTolerance.afterMinutes * 60_000,
    },
    playbackRate: o.playbackRate,
    maxSkewMs: o.maxClockSkewSeconds * 1000,
    cacheEntries: o.cacheEntries,
  }
}
