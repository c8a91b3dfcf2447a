import { createHash } from 'node:crypto'

// Ids derived from what they name (UUIDv8, RFC 9562 §5.8, from a SHA-256 digest): the same
// finding, retried or recomputed, always gets the same id, so the store's idempotency by event
// id keeps one copy (packages/eventstore README, "append").

export function sha256Hex(text: string): string {
  return createHash('sha256').update(text).digest('hex')
}

/** A UUIDv8 whose 122 free bits are the first bits of SHA-256(`text`). */
export function uuidFromText(text: string): string {
  const h = createHash('sha256').update(text).digest()
  h[6] = (h[6]! & 0x0f) | 0x80
  h[8] = (h[8]! & 0x3f) | 0x80
  const x = h.subarray(0, 16).toString('hex')
  return `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20)}`
}
