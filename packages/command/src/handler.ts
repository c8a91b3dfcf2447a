import {
  type AppendMetadata,
  type DomainEvent,
  type DomainEventToAppend,
  decodeRecorded,
  toEventToAppend,
} from '@trec/contracts'
import { isTrecError } from '@trec/core'
import type { AppendResult, EventStore, RecordedEvent } from '@trec/eventstore'
import { afterConflict, defaultConflictRetries } from './conflict-retry.ts'
import type { Decider } from './decider.ts'
import { appendedBefore, idList, isResumed, resultsByStream } from './resume.ts'

export interface StreamState<State> {
  state: State
  revision: number
  events: RecordedEvent[]
}

/** Reads a stream and folds its (upcast, validated) events into the decider's state. */
export async function loadState<State, Event extends DomainEvent>(
  store: EventStore,
  stream: string,
  decider: Pick<Decider<State, unknown, Event>, 'initialState' | 'evolve'>,
): Promise<StreamState<State>> {
  const events = await store.readStream(stream)
  let state = decider.initialState()
  for (const recorded of events) state = decider.evolve(state, typeAndData(recorded) as Event)
  return { state, revision: events.length - 1, events }
}

/**
 * Decoded events by the stored event they came from. The event store hands out the same event
 * objects for a stream it has read before (its stream cache), so a stream folded at every command
 * is upcast and validated once per event, not once per command.
 */
const decoded = new WeakMap<RecordedEvent, { type: string; data: unknown }>()

/** A stored event as the decider decided it: its type and (upcast, validated) data. */
function typeAndData(recorded: RecordedEvent) {
  let known = decoded.get(recorded)
  if (!known) {
    const { type, data } = decodeRecorded(recorded)
    known = { type, data }
    decoded.set(recorded, known)
  }
  return known
}

export interface HandleOptions<Command> {
  stream: string
  command: Command
  /** Who, when, where: the envelope metadata of the events this command appends. */
  meta: Omit<AppendMetadata, 'id'>
  /**
   * Event ids to use, in order (from the request's idempotency key); default fresh UUIDv7s. The
   * same ids serve every attempt. When marked `resumed` (a retry of an attempt that may have
   * appended), events already stored under them are the answer and nothing is decided again.
   */
  nextId?: () => string
  /** How often to re-read and decide again after a concurrent writer moved the stream (default: conflict-retry.ts). */
  retries?: number
}

export interface HandleResult<Event> {
  events: Event[]
  ids: string[]
  append: AppendResult
}

/**
 * Load, decide, append with the revision that was read, and decide again if another writer got
 * in between: the decision is always made on the state it is appended to.
 */
export async function handleCommand<State, Command, Event extends DomainEventToAppend>(
  store: EventStore,
  decider: Decider<State, Command, Event>,
  options: HandleOptions<Command>,
): Promise<HandleResult<Event>> {
  const retries = options.retries ?? defaultConflictRetries
  const ids = options.nextId && idList(options.nextId)
  if (ids && isResumed(options.nextId)) {
    const prior = await appendedBefore(store, ids)
    const append = prior && resultsByStream(prior).get(options.stream)
    if (prior && append)
      return {
        events: prior.map(typeAndData) as unknown as Event[],
        ids: prior.map((e) => e.id),
        append,
      }
  }
  for (let attempt = 0; ; attempt++) {
    const { state, revision } = await loadState(store, options.stream, decider as never)
    const events = decider.decide(options.command, state as State)
    const toAppend = events.map((event, i) =>
      toEventToAppend(event, { ...options.meta, ...(ids ? { id: ids(i) } : {}) }),
    )
    try {
      const append = await store.append(options.stream, toAppend, {
        expectedRevision: revision < 0 ? 'no_stream' : revision,
      })
      return { events, ids: toAppend.map((e) => e.id), append }
    } catch (error) {
      if (!isTrecError(error, 'TREC_STREAM_CONFLICT') || attempt >= retries) throw error
      await afterConflict(attempt)
    }
  }
}
