import { setTimeout as sleep } from 'node:timers/promises'
import type { ReadModel } from './read-model.ts'
import type { ProjectionSource } from './source.ts'

export interface FollowOptions {
  /** Stops following; `follow` resolves once the batch in flight has committed. */
  signal: AbortSignal
  /** Fires each time the source reaches the head of the feed (where it knows the head). */
  onCaughtUp?: () => void
  /** A round that failed (the database or the broker gone, a batch refused); awaited before the pause. */
  onError?: (error: unknown) => void | Promise<void>
  /** Pause before the first retry (ms, default 1,000); it doubles after each failure up to `maxRetryMs`. */
  retryMs?: number
  /** Longest pause between retries (ms, default `retryMs`: a fixed pause). */
  maxRetryMs?: number
}

/**
 * The one loop that follows the feed: feeds `model` from `source` until `signal` aborts. A round
 * that fails is reported and, after a pause, a new round resumes from the model's checkpoint;
 * since a model moves its checkpoint with its rows, nothing is applied twice or skipped.
 */
export async function follow(
  source: ProjectionSource,
  model: ReadModel,
  options: FollowOptions,
): Promise<void> {
  const { signal } = options
  let pause = options.retryMs ?? 1000
  const maxPause = options.maxRetryMs ?? pause
  try {
    while (!signal.aborted) {
      // Ends this round when the model reports a late failure, so a new round retries it.
      const round = new AbortController()
      try {
        await model.resume?.((error) => round.abort(error))
        await source.run(model, {
          signal: AbortSignal.any([signal, round.signal]),
          ...(options.onCaughtUp ? { onCaughtUp: options.onCaughtUp } : {}),
        })
        if (round.signal.aborted && !signal.aborted) throw round.signal.reason
      } catch (error) {
        if (signal.aborted) break
        await options.onError?.(round.signal.aborted ? round.signal.reason : error)
        await sleep(pause, undefined, { signal }).catch(() => undefined)
        pause = Math.min(2 * pause, maxPause)
      }
    }
  } finally {
    await model.settle?.()
  }
}
