import { uuidv8Of } from '@trec/core'

// Event ids derived from what names a check for ever: the device, its batch id and the check's
// index in the batch. A resent batch (the device timed out and tried again) derives the same ids,
// so the store recognises the events as already written and the resend is a no-op that answers
// the same. The ids are UUIDv8 (RFC 9562 §5.8: custom, here the first 122 bits of a SHA-256);
// a label in front keeps them apart from ids derived the same way for anything else.

function uuidv8(label: string, parts: readonly (string | number)[]): string {
  return uuidv8Of(`${label}\n${parts.join('\n')}`)
}

/** The id of the `index`-th check of a device's batch. */
export function faceCheckEventId(device: string, batchId: string, index: number): string {
  return uuidv8('trec.attendance.face-check', [device, batchId, index])
}

/** The correlation id shared by every check of one batch. */
export function batchCorrelationId(device: string, batchId: string): string {
  return uuidv8('trec.attendance.face-check-batch', [device, batchId])
}

/** The id of the `index`-th segment of a learning platform's batch. */
export function onlineSegmentEventId(device: string, batchId: string, index: number): string {
  return uuidv8('trec.attendance.online-segment', [device, batchId, index])
}

/** The id of the `index`-th tap of a card reader's batch. */
export function cardTapEventId(device: string, batchId: string, index: number): string {
  return uuidv8('trec.attendance.card-tap', [device, batchId, index])
}
