import type { EventStore, SqlExecutor } from '@trec/eventstore'
import { followUntilStopped, OversightReadSide } from '@trec/oversight'
import type { loadRuleSets } from '@trec/subsidy'
import { type AuditLogOptions, startNotarising } from './audit-log.ts'
import type { ServiceName } from './config.ts'
import type { GaugeRegistry } from './metrics.ts'
import { runProjections } from './projections.ts'
import { readModelServices, readModelsOf } from './read-models.ts'
import { followerCheck, type Readiness } from './readiness.ts'

/**
 * The parts of the read side, each able to run on a thread of its own (read-side-threads.ts):
 * the read models (one group following the feed), the oversight projections with the fraud
 * detectors, and the audit notary.
 */
export type ReadSidePart = 'read-models' | 'oversight' | 'notary'
export const readSideParts: readonly ReadSidePart[] = ['read-models', 'oversight', 'notary']

/** The parts the chosen services run (whatever thread runs them). */
export function readSidePartsOf(
  services: readonly ServiceName[],
  readModels: 'feed' | 'kafka',
): ReadSidePart[] {
  return readSideParts.filter((part) =>
    part === 'read-models'
      ? // without building the projections (compliance's loads its rule sets)
        readModels !== 'kafka' && services.some((s) => readModelServices.includes(s))
      : services.includes(part === 'oversight' ? 'oversight' : 'audit'),
  )
}

export interface ReadSideParts {
  store: EventStore
  db: SqlExecutor
  services: readonly ServiceName[]
  /** Who keeps the archive and compliance read models: this read side (`feed`) or read workers (`kafka`). */
  readModels: 'feed' | 'kafka'
  /** Only these parts (default: every one the services run). */
  only?: readonly ReadSidePart[]
  /** Schema of the read models' tables (default `trec_read`; the scale tests' own). */
  readSchema?: string
  /** The notary's checkpoint signing, with the audit service. */
  audit?: AuditLogOptions
  /** The rule sets compliance judges by (default: the shipped ones). */
  rules?: () => ReturnType<typeof loadRuleSets>
  /** The oversight read side the routes serve from, when it runs on the same thread (set up already). */
  oversight?: OversightReadSide
  into: { metrics: GaugeRegistry; readiness: Readiness }
  log: { error(obj: unknown, msg: string): void }
}

/**
 * The read side of the chosen services: the read models (projections) following the store's feed,
 * the oversight projections with the fraud detectors, and the audit notary. Each reports its lag
 * in `into` (readiness and gauges). Runs on the request thread (embedded store) or on a thread of
 * its own with its own connections (read-side-thread.ts). Returns how to stop it: each stops after
 * the batch it is applying commits.
 */
export async function startReadSide(parts: ReadSideParts): Promise<() => Promise<void>> {
  const { store, db, services, into, log } = parts
  const stops: (() => Promise<void>)[] = []
  const runs = (part: ReadSidePart) => parts.only === undefined || parts.only.includes(part)
  const schema = parts.readSchema ? { schema: parts.readSchema } : {}
  const projections = readModelsOf(services, parts.rules)
  if (runs('read-models') && projections.length > 0 && parts.readModels !== 'kafka') {
    const running = await runProjections(store, db, projections, into, log, schema)
    stops.push(() => running.stop())
  }
  if (runs('oversight') && services.includes('oversight')) {
    let oversight = parts.oversight
    if (!oversight) {
      oversight = new OversightReadSide({ store, db, ...schema })
      await oversight.setup()
    }
    const readSide = oversight
    const stop = new AbortController()
    const following = followUntilStopped(readSide, stop.signal, log)
    const untrack = into.readiness.add(followerCheck('oversight', store, () => readSide.lowestPosition()))
    stops.push(async () => {
      untrack()
      stop.abort()
      await following
    })
  }
  if (runs('notary') && services.includes('audit')) {
    if (!parts.audit) throw new Error('the audit service needs its checkpoint signing options (audit)')
    stops.push(await startNotarising({ store, db, options: parts.audit, ...into, log }))
  }
  return async () => {
    // The notary first (it was started last), then the detectors, then the read models.
    for (const stop of stops.reverse()) await stop()
  }
}
