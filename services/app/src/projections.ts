import type { EventStore, SqlExecutor } from '@trec/eventstore'
import {
  follow,
  type Projection,
  ProjectionGroup,
  ProjectionRunner,
  type ProjectionSource,
  type ReadModel,
  storeFeedSource,
} from '@trec/projections'
import type { GaugeRegistry } from './metrics.ts'
import { behindHeadMs, type Readiness, trackProjectionLag } from './readiness.ts'

export interface RunningProjections {
  stop(): Promise<void>
}

/**
 * Runs read models in this process, with the one runner of @trec/projections (`follow`). In
 * embedded mode and on the read side's thread (no `sourceOf`) they are one group: one read of the store's feed, each batch
 * applied to every read model in one transaction. With `options.sourceOf` (read workers, see
 * read-worker-main.ts) each follows its own source, a Kafka consumer group, made anew for each
 * round. Each catches up from its checkpoint, then follows live; its lag behind the store shows in
 * /health/ready and /metrics, and the process is ready only while it is within a second of the
 * feed’s head. A round that fails is restarted from the checkpoints after a pause: since rows and
 * checkpoints commit together, nothing is lost or applied twice.
 */
export async function runProjections(
  store: EventStore,
  db: SqlExecutor,
  projections: readonly Projection[],
  into: { metrics: GaugeRegistry; readiness: Readiness },
  log: { error(obj: unknown, msg: string): void },
  options: {
    sourceOf?: (projection: Projection) => ProjectionSource
    /** Schema of the read models' tables (default `trec_read`). */
    schema?: string
  } = {},
): Promise<RunningProjections> {
  const { sourceOf } = options
  const controller = new AbortController()
  const untrack: (() => void)[] = []
  const runners: ProjectionRunner[] = []
  for (const projection of projections) {
    const runner = new ProjectionRunner(db, projection, options.schema ? { schema: options.schema } : {})
    await runner.setup()
    runners.push(runner)
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
  }
  const followed: [ReadModel, ProjectionSource][] = sourceOf
    ? runners.map((r) => [r, { run: (model, o) => sourceOf(r.projection).run(model, o) }])
    : [[new ProjectionGroup(db, runners), storeFeedSource(store)]]
  const running = followed.map(([model, source]) =>
    follow(source, model, {
      signal: controller.signal,
      onError: (error) =>
        log.error(
          { err: error, projection: model.name },
          'projection failed; restarting from its checkpoint',
        ),
    }),
  )
  return {
    async stop() {
      controller.abort()
      for (const u of untrack) u()
      await Promise.allSettled(running)
    },
  }
}
