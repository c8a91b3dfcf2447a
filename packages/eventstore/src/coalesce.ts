import { CallGroups, togetherOrAlone, type WaitingCall } from '@trec/core'
import type {
  AppendOptions,
  AppendResult,
  EventStore,
  EventToAppend,
  ReadStreamOptions,
  RecordedEvent,
  StreamAppend,
} from './types.ts'

// Group commit for independent commands. Commands handled at the same time read their streams
// and append to them each on its own: a round trip per read and a round trip and a commit per
// append. Through this decorator, reads and appends that arrive while one of their kind is in
// flight wait for it and then go together: the reads in one `readStreams`, the appends in one
// `appendMany` (one transaction). Nothing waits on a timer; a call that finds nothing of its
// kind in flight is sent at once, alone.
//
// Each caller still gets exactly its own outcome. A shared `appendMany` is atomic, so when it
// fails (one stream moved, one event id reused…) nothing of it was written, and every part is
// retried alone: the parts that can go in go in, and each failing one gets its own error. If the
// failure came after the commit (a connection lost before the answer), the retries find their
// event ids stored and answer as retries do (`written: false`), so nothing is written twice.
//
// Passed straight through: appends with a `beforeCommit` hook, `appendMany`, partial reads
// (from a revision, backwards, a maximum count), and reads when the store has no `readStreams`.
// A stream appears at most once per group of appends (as `appendMany` requires); a second append
// to a stream already in the group waits for the next one, so appends to a stream keep their order.

export interface CoalescingOptions {
  /** Most events in one group of appends (default 2,000). */
  maxEvents?: number
}

export function coalesceAppends(inner: EventStore, options: CoalescingOptions = {}): EventStore {
  const maxEvents = options.maxEvents ?? 2000
  const alone = (part: StreamAppend) =>
    inner.append(
      part.stream,
      part.events,
      part.expectedRevision === undefined ? {} : { expectedRevision: part.expectedRevision },
    )

  const appends = new CallGroups<StreamAppend, AppendResult>(
    (group) => togetherOrAlone(group, (parts) => inner.appendMany(parts), alone),
    (queue) => {
      const group: WaitingCall<StreamAppend, AppendResult>[] = []
      const rest: WaitingCall<StreamAppend, AppendResult>[] = []
      const streams = new Set<string>()
      let events = 0
      for (const w of queue) {
        const fits = group.length === 0 || events + w.input.events.length <= maxEvents
        if (fits && !streams.has(w.input.stream)) {
          group.push(w)
          streams.add(w.input.stream)
          events += w.input.events.length
        } else rest.push(w)
      }
      return [group, rest]
    },
  )

  const readStreams = inner.readStreams?.bind(inner)
  const reads =
    readStreams &&
    new CallGroups<string, RecordedEvent[]>(async (group) => {
      const results = await readStreams(group.map((w) => w.input)).catch(() => undefined)
      if (results) for (const [i, w] of group.entries()) w.resolve(results[i]!)
      // One bad stream name fails the shared read: each asks again alone, for its own answer.
      else await Promise.all(group.map((w) => inner.readStream(w.input).then(w.resolve, w.reject)))
    })
  const whole = (o: ReadStreamOptions | undefined) =>
    !o || (o.direction !== 'backwards' && !o.fromRevision && o.maxCount === undefined)

  return {
    append(stream: string, events: EventToAppend[], appendOptions: AppendOptions = {}) {
      if (appendOptions.beforeCommit) return inner.append(stream, events, appendOptions)
      const part: StreamAppend = { stream, events }
      if (appendOptions.expectedRevision !== undefined) part.expectedRevision = appendOptions.expectedRevision
      return appends.call(part)
    },
    appendMany: (parts, appendOptions) => inner.appendMany(parts, appendOptions),
    readStream: (stream, readOptions) =>
      reads && whole(readOptions) ? reads.call(stream) : inner.readStream(stream, readOptions),
    ...(readStreams ? { readStreams } : {}),
    ...(inner.readEvents ? { readEvents: inner.readEvents.bind(inner) } : {}),
    streamRevision: (stream) => inner.streamRevision(stream),
    readAll: (readOptions) => inner.readAll(readOptions),
    ...(inner.countAfter ? { countAfter: inner.countAfter.bind(inner) } : {}),
    headPosition: () => inner.headPosition(),
    lastPosition: () => inner.lastPosition(),
    subscribe: (subscribeOptions) => inner.subscribe(subscribeOptions),
    close: () => inner.close(),
  }
}
