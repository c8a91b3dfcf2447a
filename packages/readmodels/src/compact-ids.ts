import { uuidPattern } from '@trec/core'

// A list of event ids (lowercase UUIDs) as one string of 22 characters per id, for a read model
// that keeps lists of cited evidence: written out in JSON an id takes 39 characters (quotes and
// comma), its 128 bits take 22 of these 64 digits (each three hex digits as two, the last two as two).

const digits = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'
const value = new Map([...digits].map((d, i) => [d, i]))

/** The ids as one string, or undefined unless every one is a lowercase UUID. */
export function compactIds(ids: readonly unknown[]): string | undefined {
  let out = ''
  for (const id of ids) {
    if (typeof id !== 'string' || !uuidPattern.test(id)) return undefined
    const hex = id.replaceAll('-', '')
    for (let i = 0; i < 32; i += 3) {
      const n = Number.parseInt(hex.slice(i, i + 3), 16)
      out += digits[n >> 6]! + digits[n & 63]!
    }
  }
  return out
}

/** The ids `compactIds` gave as `text`. */
export function expandIds(text: string): string[] {
  const ids: string[] = []
  for (let at = 0; at < text.length; at += 22) {
    let hex = ''
    for (let i = 0; i < 22; i += 2) {
      const n = value.get(text[at + i]!)! * 64 + value.get(text[at + i + 1]!)!
      hex += n.toString(16).padStart(i < 20 ? 3 : 2, '0')
    }
    ids.push(
      `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`,
    )
  }
  return ids
}
