import type { EventStore } from '@trec/eventstore'
import type { Metrics } from './metrics.ts'

/** What one readiness check found: `ready` decides, the rest is reported as is. */
export interface CheckResult {
  ready: boolean
  [fact: string]: unknown
}

export interface ReadinessCheck {
  name: string
  check(): Promise<CheckResult>
}

export interface ReadinessReport {
  status: 'ready' | 'unavailable'
  checks: Record<string, CheckResult>
}

/** How long one check may take before it counts as failed (a hung database must not hang probes). */
const checkTimeoutMs = 2000

async function run(check: ReadinessCheck): Promise<CheckResult> {
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<CheckResult>((resolve) => {
    timer = setTimeout(
      () => resolve({ ready: false, reason: `no answer within ${checkTimeoutMs} ms` }),
      checkTimeoutMs,
    )
  })
  try {
    return await Promise.race([check.check(), timeout])
  } catch (error) {
    return { ready: false, reason: (error as Error).message }
  } finally {
    clearTimeout(timer)
  }
}

/**
 * The checks behind GET /health/ready. The store's is always there; others (a projection's
 * lag, a notary's tree) are added by whatever the process runs, before or after the app is
 * built. Ready means every check is.
 */
export class Readiness {
  readonly #checks = new Map<string, ReadinessCheck>()

  add(check: ReadinessCheck): () => void {
    this.#checks.set(check.name, check)
    return () => this.#checks.delete(check.name)
  }

  async report(): Promise<ReadinessReport> {
    const checks = [...this.#checks.values()]
    const results = await Promise.all(checks.map(run))
    const byName = Object.fromEntries(checks.map((c, i) => [c.name, results[i]!]))
    return { status: results.every((r) => r.ready) ? 'ready' : 'unavailable', checks: byName }
  }
}

/** The store answers: its head position and how long asking took. */
export function storeCheck(store: EventStore, kind: string): ReadinessCheck {
  return {
    name: 'store',
    async check() {
      const started = performance.now()
      const head = await store.headPosition()
      return {
        ready: true,
        kind,
        headPosition: head.toString(),
        latencyMs: Math.round((performance.now() - started) * 10) / 10,
      }
    },
  }
}

/** Something that knows how far behind the store's feed it is: a projection runner, say. */
export interface LagSource {
  name: string
  /** Events in the feed not yet applied. */
  lag(): Promise<number>
}

/**
 * Reports a projection's lag in readiness and as `trec_projection_lag_events{projection}`.
 * With `maxLag`, a projection further behind makes the process unready (use it for a
 * read-side process whose answers would be stale); without, lag is reported only.
 */
export function trackProjectionLag(
  source: LagSource,
  into: { readiness: Readiness; metrics: Metrics },
  maxLag?: number,
): () => void {
  const untrack = into.metrics
    .readGauge('trec_projection_lag_events', 'Events in the feed a projection has not applied yet.', [
      'projection',
    ])
    .track({ projection: source.name }, () => source.lag())
  const unadd = into.readiness.add({
    name: `projection:${source.name}`,
    async check() {
      const lag = await source.lag()
      return {
        ready: maxLag === undefined || lag <= maxLag,
        lag,
        ...(maxLag === undefined ? {} : { maxLag }),
      }
    },
  })
  return () => {
    untrack()
    unadd()
  }
}
