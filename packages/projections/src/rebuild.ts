import type { EventStore, SqlExecutor } from '@trec/eventstore'
import { catchUp } from './feed.ts'
import { ProjectionRunner, type RunnerOptions } from './runner.ts'
import type { Projection } from './types.ts'

export interface RebuildOptions extends RunnerOptions {
  signal?: AbortSignal
  batchSize?: number
  /** Called after each batch with the number of events read so far. */
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
  await catchUp(store, runner, {
    batchSize: options.batchSize ?? 1000,
    ...(options.signal ? { signal: options.signal } : {}),
    ...(options.onProgress ? { onProgress: options.onProgress } : {}),
  })
  await runner.activate()
  return runner
}
