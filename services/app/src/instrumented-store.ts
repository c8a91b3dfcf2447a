import type { ReadThenAppend } from '@trec/archive'
import { isTrecError } from '@trec/core'
import type { EventStore } from '@trec/eventstore'
import type { Metrics } from './metrics.ts'

const outcomeOf = (error: unknown) =>
  isTrecError(error) ? error.code.replace(/^TREC_/, '').toLowerCase() : 'error'

/** Times one store operation and counts the events it wrote. */
function timer(metrics: Metrics) {
  return async <T>(operation: string, run: () => Promise<T>, written: (result: T) => number) => {
    const end = metrics.storeDuration.startTimer({ operation })
    try {
      const result = await run()
      end({ outcome: 'ok' })
      const events = written(result)
      if (events > 0) metrics.storeEvents.inc({ operation }, events)
      return result
    } catch (error) {
      end({ outcome: outcomeOf(error) })
      throw error
    }
  }
}

/** The archive's one-statement read and append (`appendAfterRead`), timed and counted as appends are. */
export function instrumentReadThenAppend(store: ReadThenAppend, metrics: Metrics): ReadThenAppend {
  const timed = timer(metrics)
  return {
    appendAfterRead: (read, stream, events) =>
      timed(
        'appendAfterRead',
        () => store.appendAfterRead(read, stream, events),
        ({ result }) => (result.written ? result.positions.length : 0),
      ),
  }
}

/**
 * The store as the services see it, with every append timed and counted: a decorator here in
 * the composition root, so that no adapter knows about metrics and every adapter is measured
 * the same way. Reads and the feed pass straight through.
 */
export function instrumentStore(store: EventStore, metrics: Metrics): EventStore {
  const timed = timer(metrics)
  metrics
    .readGauge('trec_store_head_position', 'Global position of the last event readers of the feed can see.')
    .track({}, () => store.headPosition())
  return {
    append: (stream, events, options) =>
      timed(
        'append',
        () => store.append(stream, events, options),
        (r) => (r.written ? r.positions.length : 0),
      ),
    appendMany: (appends, options) =>
      timed(
        'appendMany',
        () => store.appendMany(appends, options),
        (rs) => rs.reduce((n, r) => n + (r.written ? r.positions.length : 0), 0),
      ),
    readStream: (stream, options) => store.readStream(stream, options),
    ...(store.readEvents ? { readEvents: store.readEvents.bind(store) } : {}),
    streamRevision: (stream) => store.streamRevision(stream),
    readAll: (options) => store.readAll(options),
    ...(store.countAfter ? { countAfter: store.countAfter.bind(store) } : {}),
    headPosition: () => store.headPosition(),
    lastPosition: () => store.lastPosition(),
    subscribe: (options) => store.subscribe(options),
    close: () => store.close(),
  }
}
