import type { Worker } from 'node:worker_threads'
import type { GaugeRegistry } from './metrics.ts'
import { type ReadSidePart, readSidePartsOf } from './read-side.ts'
import { type ReadSideThreadData, startReadSideThread } from './read-side-thread.ts'
import type { Readiness } from './readiness.ts'

// The read side spread over threads (TREC_READ_SIDE_THREADS), so that its Node work runs on more
// than one core: on one thread the read models (~67 µs of Node CPU an event on a 1M-event
// province), the oversight projections with the detectors (~47) and the notary share one core,
// which caps the read side near 9,000 events/s however many cores are idle. Each thread follows the feed itself from connections of
// its own and reports its own checks and gauges (their names differ), so they need nothing from
// each other: a detector's alert is an event of the store, read by every thread from the feed.

/**
 * Which parts run together on each thread: all on one, or on two the read models with the notary
 * (both write what the routes read in order of the feed) and the oversight projections with the
 * detectors (the heaviest single part). Groups with nothing the services run are left out.
 */
export function readSideThreadGroups(threads: 1 | 2, parts: readonly ReadSidePart[]): ReadSidePart[][] {
  const groups: ReadSidePart[][] = threads === 1 ? [[...parts]] : [['read-models', 'notary'], ['oversight']]
  return groups.map((g) => g.filter((part) => parts.includes(part))).filter((g) => g.length > 0)
}

export interface RunningReadSideThreads {
  /** Stops every thread, each after its batches in flight commit. */
  stop(): Promise<void>
  /** The threads running now, one a group (undefined while one restarts, or after `stop`). */
  threads(): (Worker | undefined)[]
}

/**
 * Starts the read side on `threads` threads (read-side-thread.ts, one a group above) and resolves
 * once every one has set up its tables and begun following; if one cannot start, the others stop.
 */
export async function startReadSideThreads(
  data: Omit<ReadSideThreadData, 'only'> & { threads: 1 | 2 },
  into: { metrics: GaugeRegistry; readiness: Readiness },
  log: { error(obj: unknown, msg: string): void; info(obj: unknown, msg: string): void },
  restartMs?: number,
): Promise<RunningReadSideThreads> {
  const { threads, ...common } = data
  const groups = readSideThreadGroups(threads, readSidePartsOf(data.services, data.readModels))
  const started = await Promise.allSettled(
    groups.map((only) => startReadSideThread({ ...common, only }, into, log, restartMs)),
  )
  const running = started.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []))
  const stop = async () => {
    await Promise.all(running.map((r) => r.stop()))
  }
  const failed = started.find((s) => s.status === 'rejected')
  if (failed) {
    await stop()
    throw failed.reason
  }
  return { stop, threads: () => running.map((r) => r.thread()) }
}
