import { type EventForStore, toEventToAppend } from '@trec/contracts'
import type { JsonObject } from '@trec/core'
import type { FaceCheckEvent } from './domain/face-check-batch.ts'
import type { LearningSegmentEvent } from './domain/learning-batch.ts'
import { batchCorrelationId, onlineSegmentEventId } from './event-ids.ts'
import { type BatchEnvelope, faceCheckEventsForStore } from './face-check-events.ts'

// A learning platform's batch as the store appends it: its face checks as a face-check device's
// would be (same ids), then its segments, with ids from (device, batchId, index) so a resent
// batch writes nothing. As for checks, the first segment goes through `toEventToAppend` in full
// and the others reuse its metadata with their own instant and id.

export function learningEventsForStore(
  events: readonly (FaceCheckEvent | LearningSegmentEvent)[],
  batch: BatchEnvelope,
): EventForStore[] {
  const checks = events.filter((e): e is FaceCheckEvent => e.type === 'FaceCheckRecorded')
  const segments = events.filter((e): e is LearningSegmentEvent => e.type === 'OnlineLearningSegmentRecorded')
  const stored = faceCheckEventsForStore(checks, batch)
  const first = segments[0]
  if (!first) return stored
  const { device, batchId, actor, region, source } = batch
  const head = toEventToAppend(first, {
    id: onlineSegmentEventId(device, batchId, 0),
    occurredAt: first.data.end,
    actor,
    source,
    region,
    correlationId: batchCorrelationId(device, batchId),
  })
  const shared = head.metadata
  stored.push(head)
  segments.slice(1).forEach((event, i) => {
    stored.push({
      id: onlineSegmentEventId(device, batchId, i + 1),
      type: head.type,
      data: event.data as unknown as JsonObject,
      metadata: { ...shared, occurredAt: event.data.end },
    })
  })
  return stored
}
