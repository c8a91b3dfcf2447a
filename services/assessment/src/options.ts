import { AccessLog } from '@trec/command'
import {
  certificateKinds,
  clockOption,
  objectWith,
  parseServiceOptions,
  regionCodeSchema,
  unitIntervalSchema,
} from '@trec/contracts'
import type { EventStore } from '@trec/eventstore'
import { z } from 'zod'
import {
  type CertificateKind,
  type CertificateKindRule,
  defaultCertificateKindRules,
} from './domain/certificate-kinds.ts'
import type { CompletionPolicy } from './domain/completion.ts'

// The service's options, checked once when it is registered. Every rule that is national
// practice rather than a seed fact is set here, with a default (docs/architecture.md, "Rules come
// from data").

/**
 * Default least attendance share for a completion to pass. National practice, not in the seeds
 * (docs/domain.md §3): provincial 实名制 rules commonly require 80% or more of the class hours.
 */
export const defaultMinimumAttendanceShare = 0.8

const regionPrefix = z
  .string()
  .regex(/^(\*|\d{2}(\d{2}){0,2})$/, 'a 2-, 4- or 6-digit 行政区划代码 prefix, or *')

const optionsSchema = z.object({
  store: objectWith<EventStore>('an EventStore', 'append', 'appendMany'),
  clock: clockOption(),
  /** The deployment's 行政区划代码, on access events of callers whose token names no region. */
  region: regionCodeSchema.optional(),
  /** One share for every region, or shares by region prefix (longest prefix wins; `*` for the rest). */
  minimumAttendanceShare: z
    .union([unitIntervalSchema, z.record(regionPrefix, unitIntervalSchema)])
    .optional(),
  completionAfter: z.enum(['class_closed', 'last_session_ended']).optional(),
  /** Minutes around a session in which a face check counts (签到 early, 签退 late). Default 15. */
  faceCheckGraceMinutes: z.number().min(0).max(240).optional(),
  /** Online segments played faster than this are not counted. Default 1 (no fast-forward). */
  maxCountedPlaybackRate: z.number().min(1).max(16).optional(),
  /** Passing face checks per hour of platform-signed online learning for it to count (NOT IN SEEDS). Default 2. */
  onlineFaceChecksPerHour: z.int().min(1).max(60).optional(),
  /** Which kinds need a passing assessment on the record before issue. */
  certificateKinds: z
    .partialRecord(z.enum(certificateKinds), z.strictObject({ requiresAssessment: z.boolean() }))
    .optional(),
})

export type AssessmentOptions = z.input<typeof optionsSchema>

export interface ResolvedOptions {
  store: EventStore
  clock: () => Date
  /** The completion policy for a class in `region`. */
  completionPolicy(region: string): CompletionPolicy
  kindRule(kind: CertificateKind): CertificateKindRule
  /** Reads of a worker's certificates are recorded here before they are answered. */
  accessLog: AccessLog
  region: string
}

export function resolveOptions(input: AssessmentOptions): ResolvedOptions {
  const o = parseServiceOptions(optionsSchema, input, 'assessment service')
  const shares = o.minimumAttendanceShare
  const minimumFor = (region: string): number => {
    if (shares === undefined) return defaultMinimumAttendanceShare
    if (typeof shares === 'number') return shares
    for (const length of [6, 4, 2]) {
      const share = shares[region.slice(0, length)]
      if (share !== undefined) return share
    }
    return shares['*'] ?? defaultMinimumAttendanceShare
  }
  return {
    store: o.store,
    clock: o.clock ?? (() => new Date()),
    accessLog: new AccessLog(o.store),
    region: o.region ?? '130100',
    completionPolicy: (region) => ({
      minimumAttendanceShare: minimumFor(region),
      completionAfter: o.completionAfter ?? 'last_session_ended',
      graceMinutes: o.faceCheckGraceMinutes ?? 15,
      maxPlaybackRate: o.maxCountedPlaybackRate ?? 1,
      checksPerHour: o.onlineFaceChecksPerHour ?? 2,
    }),
    kindRule: (kind) => ({ ...defaultCertificateKindRules[kind], ...o.certificateKinds?.[kind] }),
  }
}
