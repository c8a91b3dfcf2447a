import {
  type AppendMetadata,
  type DomainEventToAppend,
  decodeRecorded,
  type EventForStore,
  streamFor,
  toEventToAppend,
} from '@trec/contracts'
import { isTrecError } from '@trec/core'
import type { AppendResult, EventStore, StreamAppend } from '@trec/eventstore'
import { afterConflict, defaultConflictRetries } from './conflict-retry.ts'
import { appendedBefore, idList, isResumed, resultsByStream } from './resume.ts'

// A command whose events go to more than one stream (an enrolment writes the worker's record and
// the class roster; a certificate its holder's stream and its serial's registry; a payment the
// worker's subsidy and the class's advance; a face-check batch one stream per worker). Like
// `handleCommand`, but over several streams: the decision names the revision it read of each
// stream, all its events go in one atomic `appendMany` with each stream expected at that
// revision, and a conflict on any of them reads and decides again, with the same event ids. A
// resumed retry answers from the events its first attempt stored (resume.ts).

/** What a stream was read at: its last revision (-1: it did not exist), or `'any'` when the decision does not depend on what it holds. */
export type ReadRevision = number | 'any'

export type Meta = Omit<AppendMetadata, 'id'>

export interface MultiStreamDecision<Event extends DomainEventToAppend> {
  /** The events decided, in order; each goes to the stream `streamFor` names. */
  events: readonly Event[]
  /** What each stream was read at. Every stream an event goes to must be here. */
  revisions: ReadonlyMap<string, ReadRevision> | Readonly<Record<string, ReadRevision>>
  /**
   * Streams held at their read revision even when the decision writes nothing to them (a read
   * that must not have moved: the class's advance a payment is set against).
   */
  guard?: readonly string[]
  /** The envelope metadata of each event (default: the options' `meta`). */
  meta?: (event: Event) => Meta
}

export interface MultiStreamOptions<Event extends DomainEventToAppend> {
  /** Who, when, where, for every event (unless the decision gives `meta`). */
  meta?: Meta
  /**
   * Event ids to use, in order (from the request's idempotency key); default fresh UUIDv7s. The
   * same ids serve every attempt; when marked `resumed`, events stored under them are the answer.
   */
  nextId?: () => string
  /** How often to read and decide again after a concurrent writer moved a stream. */
  retries?: number
  /**
   * Append the streams in name order, so that two commands over the same streams take their locks
   * in the same order (default: in the order the events first name them).
   */
  sortStreams?: boolean
  /**
   * Encodes the decided events for the store, ids included (default: `toEventToAppend` of each,
   * with the next id). For a batch that encodes many events of one shape at once.
   */
  encode?: (events: readonly Event[]) => EventForStore[]
}

export interface MultiStreamResult<Event> {
  /** The events decided (on a resumed retry: those the first attempt stored). */
  events: Event[]
  ids: string[]
  /** The result of each stream appended to (or guarded), by name. */
  streams: Map<string, AppendResult>
}

const expected = (read: ReadRevision) => (read === 'any' ? 'any' : read < 0 ? 'no_stream' : read)

function readOf(read: MultiStreamDecision<DomainEventToAppend>['revisions'], stream: string): ReadRevision {
  const revision = read instanceof Map ? read.get(stream) : (read as Record<string, ReadRevision>)[stream]
  if (revision === undefined) throw new Error(`the decision did not read ${stream}`)
  return revision
}

/**
 * Decide (reading what the decision needs) and append every stream's events atomically, each
 * stream at the revision the decision read; decide again when another writer got in between.
 */
export async function handleMultiStreamCommand<Event extends DomainEventToAppend>(
  store: EventStore,
  decide: () => MultiStreamDecision<Event> | Promise<MultiStreamDecision<Event>>,
  options: MultiStreamOptions<Event> = {},
): Promise<MultiStreamResult<Event>> {
  const retries = options.retries ?? defaultConflictRetries
  const idAt = options.nextId && idList(options.nextId)
  if (idAt && isResumed(options.nextId)) {
    const prior = await appendedBefore(store, idAt)
    if (prior)
      return {
        events: prior.map((e) => {
          const { type, data } = decodeRecorded(e)
          return { type, data } as unknown as Event
        }),
        ids: prior.map((e) => e.id),
        streams: resultsByStream(prior),
      }
  }
  for (let attempt = 0; ; attempt++) {
    const decision = await decide()
    const metaOf = decision.meta ?? (() => options.meta!)
    const stored =
      options.encode?.(decision.events) ??
      decision.events.map((event, i) =>
        toEventToAppend(event, { ...metaOf(event), ...(idAt ? { id: idAt(i) } : {}) }),
      )
    const parts = new Map<string, StreamAppend>()
    const partOf = (stream: string) => {
      const part = parts.get(stream) ?? {
        stream,
        events: [],
        expectedRevision: expected(readOf(decision.revisions, stream)),
      }
      parts.set(stream, part)
      return part
    }
    decision.events.forEach((event, i) => {
      partOf(streamFor(event)).events.push(stored[i]!)
    })
    for (const stream of decision.guard ?? []) partOf(stream)
    const ids = stored.map((e) => e.id)
    if (parts.size === 0) return { events: [...decision.events], ids, streams: new Map() }
    const appends = [...parts.values()]
    if (options.sortStreams) appends.sort((a, b) => (a.stream < b.stream ? -1 : a.stream > b.stream ? 1 : 0))
    try {
      const results = await store.appendMany(appends)
      return {
        events: [...decision.events],
        ids,
        streams: new Map(appends.map((a, i) => [a.stream, results[i]!])),
      }
    } catch (error) {
      if (!isTrecError(error, 'TREC_STREAM_CONFLICT') || attempt >= retries) throw error
      await afterConflict(attempt)
    }
  }
}
