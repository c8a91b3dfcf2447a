import { setTimeout as sleep } from 'node:timers/promises'
import type { FeedBatch, ReadAllOptions, RecordedEvent, SubscribeOptions } from './types.ts'
import type { Wake } from './wake.ts'

/**
 * Catch-up-then-live subscription built on `readAll`: read batches after the checkpoint until
 * a short batch says we are at the head, announce `caughtUp`, then wait for a local append or
 * the idle poll (and `settleMs` more) and read again. While catching up, the next batch is already being read while
 * the consumer handles the current one; `busySettleMs` instead when appends kept coming while it
 * handled the last batch. Order and gap safety come from `readAll` itself.
 */
export async function* pollFeed(
  readAll: (options: ReadAllOptions) => Promise<RecordedEvent[]>,
  wake: Wake,
  options: SubscribeOptions = {},
): AsyncGenerator<FeedBatch> {
  const batchSize = options.batchSize ?? 1000
  const idlePollMs = options.idlePollMs ?? 50
  const settleMs = options.settleMs ?? 0
  const busySettleMs = options.busySettleMs ?? settleMs
  const { signal } = options
  let after = options.after ?? 0n
  let live = false
  let generation = wake.generation
  let next: Promise<RecordedEvent[]> | undefined
  while (!signal?.aborted) {
    const events = await (next ?? readAll({ after, maxCount: batchSize }))
    next = undefined
    const atHead = events.length < batchSize
    if (events.length > 0) {
      after = events[events.length - 1]!.position
      if (!atHead) {
        next = readAll({ after, maxCount: batchSize })
        // A prefetch left unawaited when the consumer stops must not become an unhandled rejection.
        next.catch(() => undefined)
      }
      yield { events, caughtUp: atHead }
      if (!atHead) continue
      live = true
    } else if (!live) {
      live = true
      yield { events: [], caughtUp: true }
    }
    const busy = wake.generation !== generation
    await wake.wait(idlePollMs, generation, signal)
    const settle = busy ? busySettleMs : settleMs
    if (settle > 0) await sleep(settle, undefined, { signal }).catch(() => undefined)
    generation = wake.generation
  }
}
