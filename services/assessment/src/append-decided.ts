import { appendedBefore, idList, isResumed, resultsByStream } from '@trec/command'
import { type AppendMetadata, streamFor, toEventToAppend } from '@trec/contracts'
import { isTrecError } from '@trec/core'
import type { AppendResult, EventStore } from '@trec/eventstore'
import type { AssessmentEvent } from './domain/state.ts'

// Commands whose events go to more than one stream (a certificate and its serial's registry
// stream). Like `handleCommand`, but every stream it read is guarded by the revision it read,
// and all the events go in one atomic `appendMany`: either the certificate and its serial are
// both recorded, or neither is. A conflict on any stream re-reads and decides again, with the
// same event ids; a resumed retry answers from the events its first attempt stored.

export interface Decision {
  events: AssessmentEvent[]
  /** The revision read of each stream the decision depended on (-1: the stream did not exist). */
  revisions: ReadonlyMap<string, number>
}

export interface DecidedAppend {
  ids: string[]
  /** Results per stream written, by stream name. */
  results: Map<string, AppendResult>
}

export async function appendDecided(
  store: EventStore,
  decide: () => Promise<Decision>,
  meta: Omit<AppendMetadata, 'id'>,
  nextId?: () => string,
  retries = 3,
): Promise<DecidedAppend> {
  const idAt = nextId && idList(nextId)
  if (idAt && isResumed(nextId)) {
    const prior = await appendedBefore(store, idAt)
    if (prior) return { ids: prior.map((e) => e.id), results: resultsByStream(prior) }
  }
  for (let attempt = 0; ; attempt++) {
    const { events, revisions } = await decide()
    const byStream = new Map<string, ReturnType<typeof toEventToAppend>[]>()
    const ids: string[] = []
    for (const [i, event] of events.entries()) {
      const stored = toEventToAppend(event, { ...meta, ...(idAt ? { id: idAt(i) } : {}) })
      const stream = streamFor(event)
      if (!revisions.has(stream)) throw new Error(`decided an event for ${stream}, which was not read`)
      byStream.set(stream, [...(byStream.get(stream) ?? []), stored])
      ids.push(stored.id)
    }
    const appends = [...byStream].map(([stream, list]) => {
      const revision = revisions.get(stream)!
      return { stream, events: list, expectedRevision: revision < 0 ? ('no_stream' as const) : revision }
    })
    try {
      const written = await store.appendMany(appends)
      return { ids, results: new Map(appends.map((a, i) => [a.stream, written[i]!])) }
    } catch (error) {
      if (!isTrecError(error, 'TREC_STREAM_CONFLICT') || attempt >= retries) throw error
    }
  }
}
