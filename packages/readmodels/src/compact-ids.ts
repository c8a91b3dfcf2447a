import { uuidPattern } from '@trec/core'

// A list of event ids (lowercase UUIDs) as one string of 22 characters per id, for a read model
// that keeps lists of cited evidence: written out in JSON an id takes 39 characters (quotes and
// comma); its 16 bytes in base64url without padding take 22.

/** The ids as one string, or undefined unless every one is a lowercase UUID. */
export function compactIds(ids: readonly unknown[]): string | undefined {
  let out = ''
  for (const id of ids) {
    if (typeof id !== 'string' || !uuidPattern.test(id)) return undefined
    out += Buffer.from(id.replaceAll('-', ''), 'hex').toString('base64url')
  }
  return out
}

/** The ids `compactIds` gave as `text`. */
export function expandIds(text: string): string[] {
  const ids: string[] = []
  for (let at = 0; at < text.length; at += 22) {
    const hex = Buffer.from(text.slice(at, at + 22), 'base64url').toString('hex')
    ids.push(
      `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`,
    )
  }
  return ids
}
