import { hash, randomFillSync } from 'node:crypto'

// RFC 9562 §5.7: 48-bit Unix milliseconds, version 7, 12 random bits, variant 10, 62 random
// bits. Ids sort by creation time, which keeps B-tree inserts local.
let lastMs = 0
let seq = 0

// Random bytes are drawn from the CSPRNG 4 KiB at a time (one call per 256 ids instead of one
// each); every id still gets 16 fresh bytes of its own, copied out before they are overwritten.
const pool = Buffer.alloc(4096)
let used = pool.length

function randomId(): Buffer {
  if (used === pool.length) {
    randomFillSync(pool)
    used = 0
  }
  used += 16
  return Buffer.from(pool.subarray(used - 16, used))
}

export function uuidv7(now: number = Date.now()): string {
  const bytes = randomId()
  // A monotonic counter in the 12 "rand_a" bits keeps ids from one process ordered within a
  // millisecond (RFC 9562 §6.2, method 1).
  if (now <= lastMs) {
    seq = (seq + 1) & 0xfff
    if (seq === 0) lastMs += 1
    now = lastMs
  } else {
    lastMs = now
    seq = bytes[6]! & 0x07 // leave room to count up
  }
  bytes[0] = Math.floor(now / 2 ** 40) & 0xff
  bytes[1] = Math.floor(now / 2 ** 32) & 0xff
  bytes[2] = (now >>> 24) & 0xff
  bytes[3] = (now >>> 16) & 0xff
  bytes[4] = (now >>> 8) & 0xff
  bytes[5] = now & 0xff
  bytes[6] = 0x70 | ((seq >>> 8) & 0x0f)
  bytes[7] = seq & 0xff
  bytes[8] = 0x80 | (bytes[8]! & 0x3f)
  const hex = bytes.toString('hex')
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`
}

/**
 * A UUIDv8 (RFC 9562 §5.8, custom) named by its text: the first 122 bits of the text's SHA-256.
 * The same name gives the same id on every process and start, so an append that derives its
 * event ids this way is recognised by the store when it is repeated.
 */
export function uuidv8Of(name: string): string {
  // One-shot `hash`: no Hash object per id (derived ids come hundreds per batch).
  const h = hash('sha256', name, 'buffer')
  h[6] = (h[6]! & 0x0f) | 0x80
  h[8] = (h[8]! & 0x3f) | 0x80
  const hex = h.toString('hex', 0, 16)
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`
}

export const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[1-8][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/
