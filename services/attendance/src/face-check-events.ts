import { type Actor, type EventForStore, toEventToAppend } from '@trec/contracts'
import type { JsonObject } from '@trec/core'
import type { FaceCheckEvent } from './domain/face-check-batch.ts'
import { batchCorrelationId, faceCheckEventId } from './event-ids.ts'

// A batch's checks as the store appends them. The contracts' `toEventToAppend` checks one event's
// data and metadata against the catalogue; run on each of hundreds of checks it would repeat,
// per check, what the batch schema has already checked (the same fields, the same primitives).
// So the first check goes through it in full, which also checks the metadata every check
// shares, and the others reuse that metadata with their own instant and id. A test holds the
// result equal to `toEventToAppend` on every check.

export interface BatchEnvelope {
  device: string
  batchId: string
  actor: Actor
  region: string
  source: string
}

export function faceCheckEventsForStore(
  events: readonly FaceCheckEvent[],
  batch: BatchEnvelope,
): EventForStore[] {
  const { device, batchId, actor, region, source } = batch
  const correlationId = batchCorrelationId(device, batchId)
  const first = events[0]
  if (!first) return []
  const head = toEventToAppend(first, {
    id: faceCheckEventId(device, batchId, 0),
    occurredAt: first.data.checkedAt,
    actor,
    source,
    region,
    correlationId,
  })
  const shared = head.metadata
  return [
    head,
    ...events.slice(1).map((event, i) => ({
      id: faceCheckEventId(device, batchId, i + 1),
      type: head.type,
      data: event.data as unknown as JsonObject,
      metadata: { ...shared, occurredAt: event.data.checkedAt },
    })),
  ]
}
