import { type EventForStore, streamFor, toEventToAppend } from '@trec/contracts'
import type { EventStore, StreamAppend } from '@trec/eventstore'
import { iso, type Pending } from './model.ts'

/** The source system named on every synthetic event. */
export const syntheticSource = 'trec.synthetic'

/** Fills derived fields, drops removed events, and orders the rest as the feed will hold them. */
export function finalEvents(events: readonly Pending[]): { stream: string; event: EventForStore }[] {
  const kept = events.filter((e) => !e.removed)
  for (const e of kept) e.finalize?.()
  kept.sort((a, b) => a.at - b.at || a.seq - b.seq)
  return kept.map((e) => {
    const event = { type: e.type, data: e.data } as never
    return {
      stream: streamFor(event),
      event: toEventToAppend(event, {
        id: e.id,
        occurredAt: iso(e.at),
        actor: e.actor,
        source: syntheticSource,
        region: e.region,
        ...(e.correlationId ? { correlationId: e.correlationId } : {}),
      }),
    }
  })
}

/**
 * Writes events in feed order through `appendMany` (one transaction a call). A call takes up to
 * `batchSize` events; consecutive events of one stream share a part, and since a stream may
 * appear once in a call, a stream coming back after others starts the next call, so the feed
 * keeps exactly this order. Appending the same province again is a retry: the ids are the
 * seed's, so the store keeps one copy.
 */
export async function writeEvents(
  store: EventStore,
  events: readonly { stream: string; event: EventForStore }[],
  options: { batchSize?: number; onProgress?: (written: number, total: number) => void } = {},
): Promise<void> {
  const size = options.batchSize ?? 2000
  let parts: StreamAppend[] = []
  let streams = new Set<string>()
  let count = 0
  let written = 0
  const flush = async () => {
    if (parts.length === 0) return
    await store.appendMany(parts)
    written += count
    options.onProgress?.(written, events.length)
    parts = []
    streams = new Set()
    count = 0
  }
  for (const { stream, event } of events) {
    const last = parts[parts.length - 1]
    if (last && last.stream === stream) last.events.push(event)
    else {
      if (streams.has(stream) || count >= size) await flush()
      parts.push({ stream, events: [event], expectedRevision: 'any' })
      streams.add(stream)
    }
    count += 1
  }
  await flush()
}
