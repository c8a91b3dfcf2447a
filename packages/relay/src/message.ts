import type { RecordedEvent } from '@trec/eventstore'

// A worker's streams end in the worker's pseudonym (32 hex characters, see @trec/privacy):
// keying by it sends all of one worker's events to one partition, in order, whatever stream
// they are in. Other streams (institutions, classes) are keyed by the stream itself.
const pseudonymTail = /-([0-9a-f]{32})$/

export function partitionKey(stream: string): string {
  return pseudonymTail.exec(stream)?.[1] ?? stream
}

export interface EventMessage {
  key: string
  value: string
  headers: Record<string, string>
}

export function toMessage(event: RecordedEvent): EventMessage {
  const schemaVersion = event.metadata.schemaVersion
  return {
    key: partitionKey(event.stream),
    value: JSON.stringify({ ...event, position: event.position.toString() }),
    headers: {
      'event-id': event.id,
      'event-type': event.type,
      'schema-version': typeof schemaVersion === 'number' ? String(schemaVersion) : '1',
      'global-position': event.position.toString(),
    },
  }
}

export function fromMessage(value: Buffer | string): RecordedEvent {
  const parsed = JSON.parse(value.toString()) as Omit<RecordedEvent, 'position'> & { position: string }
  return { ...parsed, position: BigInt(parsed.position) }
}
