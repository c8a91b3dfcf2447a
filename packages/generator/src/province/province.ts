import type { EventStore } from '@trec/eventstore'
import { loadRuleBook, type RuleBook } from '@trec/oversight'
import { buildCleanProvince } from './build-clean.ts'
import { type BrokenTaps, breakTaps } from './card-taps.ts'
import { type FraudPattern, fraudPatterns, type InjectedCase, injectFraud } from './inject.ts'
import { skipFaceChecks, type Uncredited } from './inject-online.ts'
import { ProvinceModel } from './model.ts'
import { casesFor } from './picker.ts'
import { Random } from './random.ts'
import { finalEvents, writeEvents } from './write.ts'

export interface ProvinceOptions {
  /** Any text; the same seed and options always give the same province, event ids included. */
  seed: string
  institutions?: number
  classesPerInstitution?: [number, number]
  classSize?: [number, number]
  sessionsPerClass?: [number, number]
  /** Share of classes with online sessions (every third session). */
  blendedShare?: number
  year?: number
  /** The attendance share a completion needs; must not be below R7's `minShare`. */
  minimumAttendanceShare?: number
  /** Rate of each fraud pattern among the units it can apply to; any rate above 0 injects at least one case. */
  fraud?: Partial<Record<FraudPattern, number>>
  /** The rule book whose thresholds the injected cases must cross (default: the shipped one). */
  rules?: RuleBook
  /**
   * Online learning signed by the platform with face checks during learning (issue 25), and the
   * share of online learners who skip the checks of one stretch of it. Absent: the unsigned trail.
   */
  signedOnline?: { skipChecks: number }
  /**
   * 持卡参训 card taps at in-person sessions (issue 25), and the share of the workers with taps
   * whose taps of one session do not bracket it (late 签到 or no 签退). Absent: no readers, no taps.
   */
  cardTaps?: { broken: number }
}

export interface Manifest {
  generator: 'trec-province-v1'
  seed: string
  options: Omit<Required<ProvinceOptions>, 'rules' | 'signedOnline' | 'cardTaps'> &
    Pick<ProvinceOptions, 'signedOnline' | 'cardTaps'>
  counts: { institutions: number; classes: number; workers: number; enrolments: number; events: number }
  injected: InjectedCase[]
  /** Signed online learning whose face checks were skipped: the reading credits none of it. */
  uncredited?: Uncredited[]
  /** Card taps made not to bracket their session: the reading credits the session by its face checks only. */
  brokenTaps?: BrokenTaps[]
}

/** Every pattern at the same rate. */
export function allFraud(rate: number): Partial<Record<FraudPattern, number>> {
  return Object.fromEntries(fraudPatterns.map((p) => [p, rate]))
}

/** Builds a province in memory: its events in feed order and the manifest of injected fraud. */
export function buildProvince(options: ProvinceOptions) {
  const o = {
    seed: options.seed,
    institutions: options.institutions ?? 8,
    classesPerInstitution: options.classesPerInstitution ?? [1, 3],
    classSize: options.classSize ?? [18, 40],
    sessionsPerClass: options.sessionsPerClass ?? [8, 14],
    blendedShare: options.blendedShare ?? 0.3,
    year: options.year ?? 2024,
    minimumAttendanceShare: options.minimumAttendanceShare ?? 0.8,
    fraud: options.fraud ?? {},
    ...(options.signedOnline ? { signedOnline: options.signedOnline } : {}),
    ...(options.cardTaps ? { cardTaps: options.cardTaps } : {}),
  } satisfies Manifest['options']
  const rules = options.rules ?? loadRuleBook()
  if (o.minimumAttendanceShare < rules.R7.params.minShare)
    throw new Error('minimumAttendanceShare is below R7.minShare: honest completions would raise R7')
  const model = new ProvinceModel(o.seed, new Random(o.seed))
  model.signedOnline = o.signedOnline !== undefined
  model.cardTaps = o.cardTaps !== undefined
  buildCleanProvince(model, {
    ...o,
    millInstitutions: casesFor(o.fraud['R11-certificate-mill'], o.institutions),
    millCandidates: rules.R11.params.minResults,
    needsOnline: fraudPatterns.some((p) => p.startsWith('R10') && (o.fraud[p] ?? 0) > 0),
  })
  const injected = injectFraud(model, o.fraud, rules, o.year)
  const uncredited = o.signedOnline ? skipFaceChecks(model, o.signedOnline.skipChecks, injected) : undefined
  const brokenTaps = o.cardTaps ? breakTaps(model, o.cardTaps.broken, injected) : undefined
  const events = finalEvents(model.events)
  const manifest: Manifest = {
    generator: 'trec-province-v1',
    seed: o.seed,
    options: o,
    counts: {
      institutions: model.institutions.length,
      classes: model.classes.length,
      workers: new Set(model.members.map((m) => m.worker)).size,
      enrolments: model.members.length,
      events: events.length,
    },
    injected,
    ...(uncredited ? { uncredited } : {}),
    ...(brokenTaps ? { brokenTaps } : {}),
  }
  return { events, manifest }
}

/** Builds a province and writes it to `store`; returns its manifest. */
export async function generateProvince(
  store: EventStore,
  options: ProvinceOptions,
  progress: { batchSize?: number; onProgress?: (written: number, total: number) => void } = {},
): Promise<Manifest> {
  const { events, manifest } = buildProvince(options)
  await writeEvents(store, events, progress)
  return manifest
}
