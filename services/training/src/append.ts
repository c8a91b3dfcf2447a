import { appendedBefore, idList, isResumed, resultsByStream } from '@trec/command'
import { type DomainEventToAppend, streamFor, toEventToAppend } from '@trec/contracts'
import { isTrecError } from '@trec/core'
import type { AppendResult, EventStore, StreamAppend } from '@trec/eventstore'
import type { Meta } from './meta.ts'

// A decision whose events go to more than one stream (an enrolment writes the worker's record
// and the class roster), appended atomically with `appendMany`, each stream at the revision the
// decision was made on. When another writer moved one of them, everything is read and decided
// again, as handleCommand does for one stream, with the same event ids; a resumed retry answers
// from the events its first attempt stored (`@trec/command`'s resume.ts).

export interface Decision {
  events: DomainEventToAppend[]
  /** The revision each written stream was read at (−1: it did not exist). */
  revisions: Record<string, number>
  meta: (event: DomainEventToAppend) => Meta
}

export interface Appended {
  ids: string[]
  /** The result of each written stream. */
  streams: Record<string, AppendResult>
}

export async function appendDecision(
  store: EventStore,
  decide: () => Promise<Decision>,
  nextId: () => string,
  retries = 3,
): Promise<Appended> {
  const idAt = idList(nextId)
  if (isResumed(nextId)) {
    const prior = await appendedBefore(store, idAt)
    if (prior) return { ids: prior.map((e) => e.id), streams: Object.fromEntries(resultsByStream(prior)) }
  }
  for (let attempt = 0; ; attempt++) {
    const decision = await decide()
    const ids: string[] = []
    const parts = new Map<string, StreamAppend>()
    for (const [i, event] of decision.events.entries()) {
      const stream = streamFor(event)
      const revision = decision.revisions[stream]
      if (revision === undefined) throw new Error(`the decision did not read ${stream}`)
      const part = parts.get(stream) ?? {
        stream,
        events: [],
        expectedRevision: revision < 0 ? 'no_stream' : revision,
      }
      const stored = toEventToAppend(event, { ...decision.meta(event), id: idAt(i) })
      part.events.push(stored)
      ids.push(stored.id)
      parts.set(stream, part)
    }
    if (parts.size === 0) return { ids, streams: {} }
    try {
      const results = await store.appendMany([...parts.values()])
      return { ids, streams: Object.fromEntries([...parts.keys()].map((s, i) => [s, results[i]!])) }
    } catch (error) {
      if (!isTrecError(error, 'TREC_STREAM_CONFLICT') || attempt >= retries) throw error
    }
  }
}
