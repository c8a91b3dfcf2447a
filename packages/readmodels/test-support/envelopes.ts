import { decodeRecorded } from '@trec/contracts'
import type { JsonObject } from '@trec/core'
import type { FoldEvent } from '../src/events.ts'
import type { GeneratedAppend } from './generate.ts'

/**
 * The generated events as the store would give them back, decoded, without a store: positions
 * 1, 2, 3… in order, recorded one second apart from `recordedFrom`.
 */
export function envelopes(
  appends: readonly GeneratedAppend[],
  recordedFrom = '2021-09-01T00:00:00.000Z',
): FoldEvent[] {
  const revisions = new Map<string, number>()
  const base = Date.parse(recordedFrom)
  return appends.map(({ stream, event }, i) => {
    const revision = revisions.get(stream) ?? 0
    revisions.set(stream, revision + 1)
    return decodeRecorded({
      id: event.id,
      stream,
      revision,
      position: BigInt(i + 1),
      type: event.type,
      data: event.data as JsonObject,
      metadata: event.metadata as JsonObject,
      recordedAt: new Date(base + i * 1000).toISOString(),
    })
  })
}
