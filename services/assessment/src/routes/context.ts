import { type AppendMetadata, commandAnswerSchema, decodeRecorded, type Envelope } from '@trec/contracts'
import type { EventStore } from '@trec/eventstore'
import { actorOf, type Principal } from '@trec/fastify-kit'

// What every route of the service shares: reading and decoding a stream, the envelope metadata
// of what it appends, and the answer a command gives.

export const source = 'trec.assessment'

/** A stream's events, upcast to their current versions and checked against their contracts. */
export async function readEvents(store: EventStore, stream: string): Promise<Envelope[]> {
  return (await store.readStream(stream)).map(decodeRecorded)
}

/** Who did it and where: the actor is the caller, named by its own ids, never by a person's name. */
export function metaFor(p: Principal, region: string, occurredAt: Date): Omit<AppendMetadata, 'id'> {
  return {
    occurredAt: occurredAt.toISOString(),
    actor: actorOf(p),
    source,
    region,
  }
}

/** `{ ids, revision }`: the events appended and the revision of the worker's `assessment-{worker}` stream after them. */
export const commandAnswer = commandAnswerSchema
