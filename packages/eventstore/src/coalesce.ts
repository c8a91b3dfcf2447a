import type { AppendOptions, AppendResult, EventStore, EventToAppend, StreamAppend } from './types.ts'

// Group commit for independent appends. Commands handled at the same time append to different
// streams, each in its own transaction: one round trip and one commit each. Through this
// decorator, appends that arrive while one is being written wait for it and then go together in
// one `appendMany`: one round trip and one commit for all of them. Nothing waits on a timer; an
// append that finds nothing in flight is sent at once, alone.
//
// Each caller still gets exactly its own outcome. A shared `appendMany` is atomic, so when it
// fails (one stream moved, one event id reused…) nothing of it was written, and every part is
// retried alone: the parts that can go in go in, and each failing one gets its own error. If the
// failure came after the commit (a connection lost before the answer), the retries find their
// event ids stored and answer as retries do (`written: false`), so nothing is written twice.
//
// Appends with a `beforeCommit` hook, and `appendMany` calls, are passed straight through. A
// stream appears at most once per group (as `appendMany` requires); a second append to a stream
// already in the group waits for the next one, so appends to one stream keep their order.

interface Pending {
  part: StreamAppend
  resolve: (result: AppendResult) => void
  reject: (error: unknown) => void
}

export interface CoalescingOptions {
  /** Most events in one group (default 2,000). */
  maxEvents?: number
}

export function coalesceAppends(inner: EventStore, options: CoalescingOptions = {}): EventStore {
  const maxEvents = options.maxEvents ?? 2000
  let queue: Pending[] = []
  let writing = false

  async function writeGroup(group: Pending[]): Promise<void> {
    if (group.length === 1) {
      const [only] = group
      await inner
        .append(only!.part.stream, only!.part.events, appendOptionsOf(only!.part))
        .then(only!.resolve, only!.reject)
      return
    }
    try {
      const results = await inner.appendMany(group.map((p) => p.part))
      for (const [i, p] of group.entries()) p.resolve(results[i]!)
    } catch {
      await Promise.all(
        group.map((p) =>
          inner.append(p.part.stream, p.part.events, appendOptionsOf(p.part)).then(p.resolve, p.reject),
        ),
      )
    }
  }

  function takeGroup(): Pending[] {
    const group: Pending[] = []
    const rest: Pending[] = []
    const streams = new Set<string>()
    let events = 0
    for (const p of queue) {
      const fits = group.length === 0 || events + p.part.events.length <= maxEvents
      if (fits && !streams.has(p.part.stream)) {
        group.push(p)
        streams.add(p.part.stream)
        events += p.part.events.length
      } else rest.push(p)
    }
    queue = rest
    return group
  }

  async function drain(): Promise<void> {
    writing = true
    try {
      while (queue.length > 0) await writeGroup(takeGroup())
    } finally {
      writing = false
    }
  }

  return {
    append(stream: string, events: EventToAppend[], appendOptions: AppendOptions = {}) {
      if (appendOptions.beforeCommit) return inner.append(stream, events, appendOptions)
      return new Promise<AppendResult>((resolve, reject) => {
        const part: StreamAppend = { stream, events }
        if (appendOptions.expectedRevision !== undefined)
          part.expectedRevision = appendOptions.expectedRevision
        queue.push({ part, resolve, reject })
        if (!writing) void drain()
      })
    },
    appendMany: (appends, appendOptions) => inner.appendMany(appends, appendOptions),
    readStream: (stream, readOptions) => inner.readStream(stream, readOptions),
    streamRevision: (stream) => inner.streamRevision(stream),
    readAll: (readOptions) => inner.readAll(readOptions),
    headPosition: () => inner.headPosition(),
    subscribe: (subscribeOptions) => inner.subscribe(subscribeOptions),
    close: () => inner.close(),
  }
}

function appendOptionsOf(part: StreamAppend): AppendOptions {
  return part.expectedRevision === undefined ? {} : { expectedRevision: part.expectedRevision }
}
