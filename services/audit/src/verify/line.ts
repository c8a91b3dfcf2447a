// The grammar of an export's event line, read without a JSON parser so the event's bytes can be
// hashed exactly as they stand in the file:
//
//   {"event":<event>,"index":<decimal>,"proof":["<44 base64>","<44 base64>",…]}
//
// This is the RFC 8785 (JCS) form of the object {event, index, proof}: keys in order, no
// whitespace. The event bytes are the leaf the log hashed (the JCS text of the stored envelope),
// so the verifier hashes them as they are: any change to them, even one that keeps the same JSON
// value, changes the leaf hash and fails the inclusion proof.

const OPEN_BRACE = 0x7b
const CLOSE_BRACE = 0x7d
const OPEN_BRACKET = 0x5b
const CLOSE_BRACKET = 0x5d
const QUOTE = 0x22
const COMMA = 0x2c
const ZERO = 0x30
const NINE = 0x39

const head = Buffer.from('{"event":')
const indexKey = Buffer.from(',"index":')
const proofKey = Buffer.from(',"proof":')

/** A proof element in the line: a quoted 44-character base64 hash. */
export const PROOF_ELEMENT = 46
/** Distance between two proof elements (an element and a comma). */
export const PROOF_STRIDE = 47

export interface EventLine {
  /** The event's bytes: the leaf. */
  event: Buffer
  index: number
  /** The proof array's content, `"…","…"` (empty for an empty proof). */
  proof: Buffer
  /** Number of proof hashes. */
  proofLength: number
}

/** Parses an event line, or returns why it does not parse. */
export function parseEventLine(line: Buffer): EventLine | string {
  const n = line.length
  if (n < head.length + 2 || !startsWith(line, head, 0)) return 'does not start with {"event":'
  if (line[n - 1] !== CLOSE_BRACE || line[n - 2] !== CLOSE_BRACKET) return 'does not end with ]}'
  // The proof elements, from the end.
  let end = n - 2
  let count = 0
  if (line[end - 1] !== OPEN_BRACKET) {
    for (;;) {
      const start = end - PROOF_ELEMENT
      if (start < 0 || line[start] !== QUOTE || line[end - 1] !== QUOTE)
        return 'a proof element is not a quoted hash'
      count += 1
      if (line[start - 1] === COMMA) end = start - 1
      else if (line[start - 1] === OPEN_BRACKET) {
        end = start
        break
      } else return 'proof elements are not separated by commas'
    }
  }
  const open = end - 1
  if (line[open] !== OPEN_BRACKET) return 'no proof array'
  const proofStart = open - proofKey.length
  if (proofStart < 0 || !startsWith(line, proofKey, proofStart)) return 'no "proof" member'
  // The index, digits before ,"proof":.
  let digits = proofStart
  while (digits > 0 && line[digits - 1]! >= ZERO && line[digits - 1]! <= NINE) digits -= 1
  const width = proofStart - digits
  if (width === 0 || width > 16 || (width > 1 && line[digits] === ZERO))
    return 'the index is not a decimal integer'
  let index = 0
  for (let i = digits; i < proofStart; i++) index = index * 10 + (line[i]! - ZERO)
  if (!Number.isSafeInteger(index)) return 'the index is not a safe integer'
  const indexStart = digits - indexKey.length
  if (indexStart < head.length || !startsWith(line, indexKey, indexStart)) return 'no "index" member'
  const event = line.subarray(head.length, indexStart)
  if (event[0] !== OPEN_BRACE || event[event.length - 1] !== CLOSE_BRACE)
    return 'the event is not a JSON object'
  return { event, index, proof: line.subarray(open + 1, n - 2), proofLength: count }
}

function startsWith(line: Buffer, prefix: Buffer, at: number): boolean {
  for (let i = 0; i < prefix.length; i++) if (line[at + i] !== prefix[i]) return false
  return true
}

// Strict base64 of 32 bytes: 43 characters of the standard alphabet, then '='; the last
// character before '=' carries 2 unused bits, which must be zero (RFC 4648 §3.5, canonical).
const INVALID = 0xff
const sextets = new Uint8Array(256).fill(INVALID)
for (const [v, c] of [...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'].entries())
  sextets[c.charCodeAt(0)] = v

/**
 * Decodes proof element `j` (a 32-byte hash) into `into` at `offset`; false when it is not
 * canonical base64. Decoded in place: a verifier reads a few of these per event.
 */
export function decodeProofElement(proof: Buffer, j: number, into: Uint8Array, offset: number): boolean {
  const at = j * PROOF_STRIDE + 1
  let out = offset
  let bad = 0
  for (let i = at; i < at + 40; i += 4) {
    const a = sextets[proof[i]!]!
    const b = sextets[proof[i + 1]!]!
    const c = sextets[proof[i + 2]!]!
    const d = sextets[proof[i + 3]!]!
    bad |= a | b | c | d
    into[out++] = (a << 2) | (b >> 4)
    into[out++] = ((b & 15) << 4) | (c >> 2)
    into[out++] = ((c & 3) << 6) | d
  }
  const a = sextets[proof[at + 40]!]!
  const b = sextets[proof[at + 41]!]!
  const c = sextets[proof[at + 42]!]!
  into[out++] = (a << 2) | (b >> 4)
  into[out] = ((b & 15) << 4) | (c >> 2)
  // An invalid character has the bit 0x80 (no sextet has it); canonical: c's low 2 bits are 0.
  return ((bad | a | b | c) & 0x80) === 0 && (c & 3) === 0 && proof[at + 43] === 0x3d
}
