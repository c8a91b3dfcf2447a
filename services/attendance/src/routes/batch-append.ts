import { handleMultiStreamCommand } from '@trec/command'
import type { DomainEventToAppend, EventForStore } from '@trec/contracts'
import type { EventStore } from '@trec/eventstore'
import type { BatchEnvelope } from '../face-check-events.ts'

// The append every signed batch shares (face checks, online learning): one atomic multi-stream
// append, one part per worker's `attendance-{worker}` stream. What a batch records does not depend
// on what those streams hold, so no revision is expected of them; streams go in name order, so two
// batches touching the same workers lock them in the same order and cannot deadlock.

export interface BatchAnswer {
  batchId: string
  ids: string[]
  streams: { stream: string; revision: number }[]
}

export async function appendBatch<E extends DomainEventToAppend & { data: { worker: string } }>(
  store: EventStore,
  events: readonly E[],
  envelope: BatchEnvelope,
  encode: (decided: readonly E[], envelope: BatchEnvelope) => EventForStore[],
): Promise<BatchAnswer> {
  const { ids, streams } = await handleMultiStreamCommand(
    store,
    () => ({
      events,
      revisions: new Map(events.map((e) => [`attendance-${e.data.worker}`, 'any' as const])),
    }),
    { sortStreams: true, encode: (decided) => encode(decided, envelope) },
  )
  return {
    batchId: envelope.batchId,
    ids,
    streams: [...streams].map(([stream, result]) => ({ stream, revision: result.revision })),
  }
}
