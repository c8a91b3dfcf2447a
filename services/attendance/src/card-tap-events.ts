import { type EventForStore, toEventToAppend } from '@trec/contracts'
import type { JsonObject } from '@trec/core'
import type { CardTapEvent } from './domain/card-tap-batch.ts'
import { batchCorrelationId, cardTapEventId } from './event-ids.ts'
import type { BatchEnvelope } from './face-check-events.ts'

// A reader's taps as the store appends them, with ids from (reader, batchId, index) so a resent
// batch writes nothing. As for face checks, the first tap goes through `toEventToAppend` in full
// and the others reuse its metadata with their own instant and id.

export function cardTapEventsForStore(
  events: readonly CardTapEvent[],
  batch: BatchEnvelope,
): EventForStore[] {
  const { device, batchId, actor, region, source } = batch
  const first = events[0]
  if (!first) return []
  const head = toEventToAppend(first, {
    id: cardTapEventId(device, batchId, 0),
    occurredAt: first.data.tappedAt,
    actor,
    source,
    region,
    correlationId: batchCorrelationId(device, batchId),
  })
  const shared = head.metadata
  return [
    head,
    ...events.slice(1).map((event, i) => ({
      id: cardTapEventId(device, batchId, i + 1),
      type: head.type,
      data: event.data as unknown as JsonObject,
      metadata: { ...shared, occurredAt: event.data.tappedAt },
    })),
  ]
}
