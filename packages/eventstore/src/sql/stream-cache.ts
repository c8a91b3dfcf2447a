import type { RecordedEvent } from '../types.ts'

/**
 * Streams read whole, kept in memory so that the next whole read of the same stream asks the
 * database only for what came after (issue 28). A command reads its streams at every attempt, and
 * some streams grow with every command (a class's roster: one event per enrolment), so reading
 * them whole each time cost more the longer the store ran.
 *
 * A store shared with other writers (PostgreSQL) still asks the database each time: events
 * appended by another process, or by this one through any path, are read then; the last cached
 * event is read again and its id compared, so a stream that is no longer what was cached (a store
 * emptied under a running process, as tests do) is read whole again. A store that is the only
 * writer of its database (the embedded one, `exclusive`) keeps the cache up to date with its own
 * appends instead and answers a cached stream without asking (sql-event-store.ts).
 *
 * Least recently read streams go first once the cache holds more than `maxEvents` events.
 * Callers get a fresh array each time, of event objects that are shared: events are values, read
 * and never changed.
 */
export class StreamCache {
  readonly #streams = new Map<string, RecordedEvent[]>()
  readonly #maxEvents: number
  #events = 0

  constructor(maxEvents: number) {
    this.#maxEvents = maxEvents
  }

  /** The events cached for `stream`, oldest first; marks it as just used. */
  get(stream: string): RecordedEvent[] | undefined {
    const events = this.#streams.get(stream)
    if (events) {
      this.#streams.delete(stream)
      this.#streams.set(stream, events)
    }
    return events
  }

  /**
   * `keepEmpty`: a stream with no events is cached too (counted as one event), for a store that
   * knows it will hear of the stream's first append (`exclusive`); others would read it anyway.
   */
  set(stream: string, events: RecordedEvent[], keepEmpty = false): void {
    this.delete(stream)
    if ((events.length === 0 && !keepEmpty) || events.length > this.#maxEvents) return
    this.#streams.set(stream, events)
    this.#events += weight(events)
    this.#evict()
  }

  /**
   * Adds `events` at the end of the cached `stream` if they follow its last cached event, else
   * drops the stream (it is read whole next time); a stream not cached that they begin is cached.
   */
  extend(stream: string, events: RecordedEvent[]): void {
    const first = events[0]
    if (!first) return
    const held = this.#streams.get(stream)
    // Already cached (a read taken in before this append's answer): a cached stream is whole, so
    // its event at index k is its revision k.
    if (held?.[first.revision]?.id === first.id && held.length >= first.revision + events.length) return
    if (first.revision === 0) this.set(stream, events)
    else if (!held || held.at(-1)?.revision !== first.revision - 1) this.delete(stream)
    else if (held.length + events.length > this.#maxEvents) this.delete(stream)
    else {
      // In place: callers were given copies.
      this.#events -= weight(held)
      held.push(...events)
      this.#events += weight(held)
      this.get(stream)
      this.#evict()
    }
  }

  delete(stream: string): void {
    const held = this.#streams.get(stream)
    if (!held) return
    this.#streams.delete(stream)
    this.#events -= weight(held)
  }

  clear(): void {
    this.#streams.clear()
    this.#events = 0
  }

  #evict(): void {
    for (const [oldest, held] of this.#streams) {
      if (this.#events <= this.#maxEvents) break
      this.#streams.delete(oldest)
      this.#events -= weight(held)
    }
  }
}

/** What a stream counts for against the budget: its events, or one for a stream kept empty. */
const weight = (events: RecordedEvent[]) => Math.max(1, events.length)
