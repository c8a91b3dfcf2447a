import type { AppendResult, EventStore, RecordedEvent } from '@trec/eventstore'

// A command retried after its first attempt appended but never answered (the process died, the
// connection went, between the commit and the response). Its event ids are derived from the
// caller's Idempotency-Key, so the retry draws the same ids; the HTTP layer marks such a retry
// `resumed`. Deciding again would be wrong: the state already holds the command's own effect, so
// a rule such as "one completion per class" refuses it, or it decides other events under the same
// ids. The retry instead looks for its ids in the store and, when it finds them, answers from what
// the first attempt appended, as that attempt would have.

/** The ids of a command's events: drawn once, in order, and the same for every attempt. */
export function idList(next: () => string): (i: number) => string {
  const ids: string[] = []
  return (i) => {
    while (ids.length <= i) ids.push(next())
    return ids[i]!
  }
}

/** Whether `next` draws the ids of a request that retries an attempt that may have appended. */
export const isResumed = (next: (() => string) | undefined): boolean =>
  (next as { resumed?: boolean } | undefined)?.resumed === true

/** Most events one command appends (an enrolment, a payment with its advance, …). */
const mostEventsPerCommand = 16

/**
 * The events an earlier attempt of this command appended, in order: ids 0, 1, … of `ids` as far
 * as they are stored. Undefined when none is, or when the store cannot look events up by id.
 */
export async function appendedBefore(
  store: EventStore,
  ids: (i: number) => string,
): Promise<RecordedEvent[] | undefined> {
  if (!store.readEvents) return undefined
  // A one-event command may draw the same id every time: the list ends at the first repeat.
  const wanted = [...new Set(Array.from({ length: mostEventsPerCommand }, (_, i) => ids(i)))]
  const stored = new Map((await store.readEvents(wanted)).map((e) => [e.id, e]))
  const prior: RecordedEvent[] = []
  for (const id of wanted) {
    const event = stored.get(id)
    if (!event) break
    prior.push(event)
  }
  return prior.length > 0 ? prior : undefined
}

/** The answer an append of `events` gave, per stream, as a retry of it gets it (`written: false`). */
export function resultsByStream(events: readonly RecordedEvent[]): Map<string, AppendResult> {
  const results = new Map<string, AppendResult>()
  for (const e of events) {
    const r = results.get(e.stream) ?? { revision: e.revision, written: false, positions: [] }
    r.revision = Math.max(r.revision, e.revision)
    r.positions.push(e.position)
    results.set(e.stream, r)
  }
  return results
}
