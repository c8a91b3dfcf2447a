// The adapter's index of event ids, and the decision it drives: is this append new, a retry of
// one already stored, or a reuse of an id for something else?
//
// Why an index: trec promises that an event id is unique in the whole store and that sending
// the same events again is a success that writes nothing and answers as the first call did,
// while the same id with other content, or in another stream, is TREC_EVENT_ID_REUSED
// (types.ts, README "Operations"). KurrentDB checks event ids only within one stream, only
// against the events right after the expected revision, and only best effort with `any`
// (client typings, `StreamState`); it compares ids, never content, and cannot look an event
// up by id. So the adapter records, for every event it stores, one event in a stream of its
// own, `_trec_eventid-<uuid>`, holding where the event went and a digest of its content.
// The leading `_` keeps these names outside trec's stream names (validate.ts) and outside
// KurrentDB's `$` system namespace; the feed filters them out.
import { jsonEvent } from '@kurrent/kurrentdb-client'
import type { AppendResult } from '../types.ts'

export interface IdIndexEntry {
  stream: string
  revision: number
  position: bigint
  digest: string
}

export const idIndexEventType = 'TrecEventStored'

export function idIndexStream(id: string): string {
  return `_trec_eventid-${id}`
}

/**
 * The index event for a stored event. Its KurrentDB event id is the trec event id, so writing
 * it again (a retry repairing an interrupted append) is a no-op by KurrentDB's own idempotency,
 * which is assured for `no_stream` appends.
 */
export function idIndexEvent(id: string, entry: IdIndexEntry) {
  return jsonEvent({
    id,
    type: idIndexEventType,
    data: {
      stream: entry.stream,
      revision: entry.revision,
      position: entry.position.toString(),
      digest: entry.digest,
    },
  })
}

/** Reads an index event's data back; undefined when it is not one (never written by us). */
export function parseIdIndexEntry(type: string, data: unknown): IdIndexEntry | undefined {
  if (type !== idIndexEventType || typeof data !== 'object' || data === null) return undefined
  const { stream, revision, position, digest } = data as Record<string, unknown>
  if (
    typeof stream !== 'string' ||
    typeof revision !== 'number' ||
    !Number.isSafeInteger(revision) ||
    typeof position !== 'string' ||
    !/^\d+$/.test(position) ||
    typeof digest !== 'string'
  )
    return undefined
  return { stream, revision, position: BigInt(position), digest }
}

export type IndexVerdict =
  /** No id is stored: append. */
  | { kind: 'new' }
  /** Every id is stored in this stream with this content: answer without writing. */
  | { kind: 'retry'; result: AppendResult }
  /**
   * Some ids are indexed, all in this stream with this content, and they sit where they would
   * if this very append had been stored from revision `from` on: probably an append whose index
   * writes were cut short. The caller reads the stream there to confirm, then repairs the index.
   */
  | { kind: 'check'; from: number }
  /** An id is stored with other content, in another stream, or as part of another append. */
  | { kind: 'reused'; id: string }

/**
 * Decides from the index entries found for the append's ids (`undefined` = not indexed), with
 * the SQL adapter's rule: a retry only when every id is stored in this stream with the same
 * content; its answer is the highest revision and the positions in order.
 */
export function judgeAppend(
  stream: string,
  ids: readonly string[],
  digests: readonly string[],
  entries: readonly (IdIndexEntry | undefined)[],
): IndexVerdict {
  const found: [number, IdIndexEntry][] = []
  entries.forEach((entry, i) => {
    if (entry) found.push([i, entry])
  })
  if (found.length === 0) return { kind: 'new' }
  for (const [i, entry] of found)
    if (entry.stream !== stream || entry.digest !== digests[i]) return { kind: 'reused', id: ids[i]! }
  if (found.length === ids.length) {
    const sorted = found.map(([, e]) => e).sort((a, b) => (a.position < b.position ? -1 : 1))
    return {
      kind: 'retry',
      result: {
        revision: sorted.reduce((max, e) => Math.max(max, e.revision), -1),
        positions: sorted.map((e) => e.position),
        written: false,
      },
    }
  }
  const from = found[0]![1].revision - found[0]![0]
  if (from >= 0 && found.every(([i, e]) => e.revision - i === from)) return { kind: 'check', from }
  return { kind: 'reused', id: ids[found[0]![0]]! }
}
