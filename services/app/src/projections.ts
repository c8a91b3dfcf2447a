import type { EventStore, SqlExecutor } from '@trec/eventstore'
import { type Projection, ProjectionRunner, type ProjectionSource, storeFeedSource } from '@trec/projections'
import type { Metrics } from './metrics.ts'
import { behindHeadMs, type Readiness, trackProjectionLag } from './readiness.ts'

export interface RunningProjections {
  stop(): Promise<void>
}

/**
 * Runs read models in this process, each from its source: the store's feed by default (embedded
 * mode), or a Kafka consumer group (read workers, see read-worker-main.ts). Each projection
 * catches up from its checkpoint, then follows live; its lag behind the store shows in
 * /health/ready and /metrics, and the process is ready only while it is within a second of the
 * feed's head. A projection that fails is restarted from its checkpoint after a
 * pause, since its rows and checkpoint commit together nothing is lost or applied twice.
 */
export async function runProjections(
  store: EventStore,
  db: SqlExecutor,
  projections: readonly Projection[],
  into: { metrics: Metrics; readiness: Readiness },
  log: { error(obj: unknown, msg: string): void },
  sourceOf: (projection: Projection) => ProjectionSource = () => storeFeedSource(store),
): Promise<RunningProjections> {
  const controller = new AbortController()
  const running: Promise<void>[] = []
  const untrack: (() => void)[] = []
  for (const projection of projections) {
    const runner = new ProjectionRunner(db, projection)
    await runner.setup()
    untrack.push(
      trackProjectionLag(
        {
          name: projection.name,
          lag: () => runner.lag(store),
          behindMs: async () => behindHeadMs(store, (await runner.status()).position),
        },
        into,
      ),
    )
    running.push(
      (async () => {
        while (!controller.signal.aborted) {
          try {
            await sourceOf(projection).run(runner, { signal: controller.signal })
          } catch (error) {
            if (controller.signal.aborted) return
            log.error(
              { err: error, projection: projection.name },
              'projection failed; restarting from its checkpoint',
            )
            await new Promise((r) => setTimeout(r, 1000))
          }
        }
      })(),
    )
  }
  return {
    async stop() {
      controller.abort()
      for (const u of untrack) u()
      await Promise.allSettled(running)
    },
  }
}
