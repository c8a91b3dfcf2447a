import type { EventStore } from '@trec/eventstore'
import type { GaugeRegistry } from './metrics.ts'

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
  /** How far behind the head it is, in time (`behindHeadMs`): given, the process is ready only within `maxBehindMs`. */
  behindMs?(): Promise<number>
}

/**
 * How far behind the head of the feed a follower of it (a read model, the detectors, the notary)
 * may be, in time, for the process to become ready: after a start or a restart of the read side,
 * a read answered then misses at most what the last second appended.
 */
export const maxBehindMs = 1000

/**
 * How far behind a follower that has caught up once may then fall and still count as ready. Under
 * a peak of writes the read side falls behind by seconds and catches up after it: the process
 * still takes writes (admission control refuses what it cannot take), so it must not be taken out
 * of the load balancer for that, which would turn a lag into an outage. A follower this far
 * behind is stuck or starved, and the process is unready until it is within `maxBehindMs` again.
 */
export const staysReadyBehindMs = 30_000

/**
 * Judges how far behind a follower is, with hysteresis: ready once within `maxBehindMs`, then
 * while within `staysReadyBehindMs`. One judge per follower (it remembers whether it caught up).
 */
export function behindJudge(): (behindMs: number) => boolean {
  let caughtUp = false
  return (behindMs) => {
    caughtUp = behindMs <= (caughtUp ? staysReadyBehindMs : maxBehindMs)
    return caughtUp
  }
}

/**
 * How long ago the first event after `position` was recorded (0 when there is none): how far
 * behind the head a follower at `position` is, in time.
 */
export async function behindHeadMs(store: EventStore, position: bigint): Promise<number> {
  const [next] = await store.readAll({ after: position, maxCount: 1 })
  return next ? Math.max(0, Date.now() - Date.parse(next.recordedAt)) : 0
}

/** A readiness check: ready while the follower at `position()` is near the head (`behindJudge`). */
export function followerCheck(
  name: string,
  store: EventStore,
  position: () => Promise<bigint>,
): ReadinessCheck {
  const near = behindJudge()
  return {
    name,
    async check() {
      const at = await position()
      const behindMs = await behindHeadMs(store, at)
      return { ready: near(behindMs), position: at.toString(), behindMs }
    },
  }
}

/**
 * Reports a projection's lag in readiness and as `trec_projection_lag_events{projection}`.
 * With `maxLag`, a projection further behind makes the process unready (use it for a
 * read-side process whose answers would be stale); with the source's `behindMs`, so does one
 * too far behind the head (`behindJudge`); without either, lag is reported only.
 */
export function trackProjectionLag(
  source: LagSource,
  into: { readiness: Readiness; metrics: GaugeRegistry },
  maxLag?: number,
): () => void {
  const untrack = into.metrics
    .readGauge('trec_projection_lag_events', 'Events in the feed a projection has not applied yet.', [
      'projection',
    ])
    .track({ projection: source.name }, () => source.lag())
  const near = behindJudge()
  const unadd = into.readiness.add({
    name: `projection:${source.name}`,
    async check() {
      const lag = await source.lag()
      const behindMs = source.behindMs ? await source.behindMs() : 0
      return {
        ready: (maxLag === undefined || lag <= maxLag) && near(behindMs),
        lag,
        ...(maxLag === undefined ? {} : { maxLag }),
        ...(source.behindMs ? { behindMs } : {}),
      }
    },
  })
  return () => {
    untrack()
    unadd()
  }
}
