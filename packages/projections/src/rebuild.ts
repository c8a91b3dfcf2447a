import type { EventStore, SqlExecutor } from '@trec/eventstore'
import { ProjectionRunner, type RunnerOptions } from './runner.ts'
import type { Projection } from './types.ts'

export interface RebuildOptions extends RunnerOptions {
  signal?: AbortSignal
  batchSize?: number
  /** Called after each batch with the number of events applied so far. */
  onProgress?: (applied: number) => void
}

/**
 * Blue/green rebuild: builds `projection` (a new version) from the start of the store's feed
 * into its own tables while the old version keeps serving, and makes it the active version
 * once it has caught up. Returns the new runner, which the caller keeps running live.
 */
export async function rebuild(
  db: SqlExecutor,
  store: EventStore,
  projection: Projection,
  options: RebuildOptions = {},
): Promise<ProjectionRunner> {
  const runner = new ProjectionRunner(db, projection, options)
  await runner.setup()
  let applied = 0
  const { lanes } = await runner.checkpoint()
  let after = BigInt(lanes.feed ?? '0')
  for (;;) {
    if (options.signal?.aborted) throw new Error('rebuild aborted')
    const events = await store.readAll({ after, maxCount: options.batchSize ?? 1000 })
    if (events.length === 0) break
    applied += await runner.applyBatch('feed', events)
    after = events[events.length - 1]!.position
    options.onProgress?.(applied)
  }
  await runner.activate()
  return runner
}
