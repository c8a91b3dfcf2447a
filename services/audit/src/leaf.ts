// What one leaf of the audit log is: the stored envelope of one event, as RFC 8785 (JSON
// Canonicalization Scheme) text, UTF-8 encoded. The envelope is everything the store keeps about
// the event, with the global position as a decimal string (a JSON number cannot carry 64 bits
// exactly, RFC 8785 §3.2.2.3 serialises numbers as IEEE 754 doubles):
//
//   { data, id, metadata, position, recordedAt, revision, stream, type }   (JCS sorts the keys)
//
// The store holds no plaintext personal data (pseudonyms, and ciphertext for sealed fields), so
// neither does a leaf. The JCS text comes from `canonicalJson` (jcs.ts): keys sorted by UTF-16
// code units (§3.2.3), strings and numbers as ECMAScript's JSON.stringify writes them (§3.2.2);
// lone surrogates, NaN and Infinity refused.

import type { RecordedEvent } from '@trec/eventstore'
import { leafHashOfText } from '@trec/merkle'
import { canonicalJson } from './jcs.ts'

/** The envelope a leaf commits to. */
export interface LeafEnvelope {
  id: string
  stream: string
  revision: number
  /** The global feed position, as a decimal string. */
  position: string
  type: string
  data: unknown
  metadata: unknown
  recordedAt: string
}

export function envelopeOf(event: RecordedEvent): LeafEnvelope {
  return {
    id: event.id,
    stream: event.stream,
    revision: event.revision,
    position: event.position.toString(),
    type: event.type,
    data: event.data,
    metadata: event.metadata,
    recordedAt: event.recordedAt,
  }
}

/** The leaf as text: the JCS form of the envelope. */
export function leafText(event: RecordedEvent): string {
  return canonicalJson(envelopeOf(event))
}

/** RFC 9162 §2.1.1 leaf hash of the event's leaf (UTF-8 of {@link leafText}, well-formed by JCS). */
export function eventLeafHash(event: RecordedEvent): Uint8Array {
  return leafHashOfText(leafText(event))
}
