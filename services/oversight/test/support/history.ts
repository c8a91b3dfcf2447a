import {
  type Actor,
  decodeRecorded,
  type Envelope,
  type EventDataToAppend,
  type EventForStore,
  type EventType,
  streamFor,
  toEventToAppend,
} from '@trec/contracts'
import type { EventStore } from '@trec/eventstore'

// Hand-built histories for the rule tests: each event is checked against its contract on the
// way in (toEventToAppend) and read back the way a projection reads it (decodeRecorded), so a
// test cannot feed a rule an event the record could not hold.

export interface EventOptions {
  at?: string
  actor?: Actor
  region?: string
  id?: string
}

let counter = 0
/** A fresh, readable event id: 0000…-7000-8000-{n}. */
export function nextId(): string {
  counter += 1
  return `00000000-0000-7000-8000-${counter.toString(16).padStart(12, '0')}`
}

export class History {
  readonly events: Envelope[] = []
  readonly stored: { stream: string; event: EventForStore }[] = []
  #position = 0n

  add<T extends EventType>(type: T, data: EventDataToAppend<T>, options: EventOptions = {}): Envelope<T> {
    const event = toEventToAppend({ type, data } as never, {
      id: options.id ?? nextId(),
      occurredAt: options.at ?? '2024-04-08T09:00:00+08:00',
      actor: options.actor ?? { kind: 'system', id: 'test' },
      source: 'trec.test',
      region: options.region ?? '130102',
    })
    const stream = streamFor({ type, data } as never)
    this.#position += 1n
    const envelope = decodeRecorded({
      ...event,
      stream,
      revision: 0,
      position: this.#position,
      recordedAt: '2024-04-08T01:00:00.000Z',
    }) as Envelope<T>
    this.events.push(envelope)
    this.stored.push({ stream, event })
    return envelope
  }

  /** Appends the history to a real store, one event per append, in order. */
  async appendTo(store: EventStore): Promise<void> {
    for (const { stream, event } of this.stored) await store.append(stream, [event])
  }
}

/** A worker pseudonym from a short name: 32 hex characters. */
export function pseudonym(name: string): string {
  return Buffer.from(name.padEnd(16, '.')).toString('hex').slice(0, 32)
}

export const hash = (n: number) => n.toString(16).padStart(64, 'a')
