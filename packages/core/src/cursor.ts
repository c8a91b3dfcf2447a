import { createHmac, timingSafeEqual } from 'node:crypto'
import { TrecError } from './errors.ts'

// Opaque page cursors for every list: `base64url(JSON {list, after}) . base64url(tag)`, where the
// tag is an HMAC-SHA-256 (first 12 bytes) of the payload under the list owner's key. A cursor
// only holds a position in a stable order, and what a page shows stays bounded by the caller's
// token, so the tag is there to refuse — as a 400 naming the field — a cursor that was edited,
// made up, or handed out by another list, rather than to keep the position secret.

const TAG_BYTES = 12
const b64url = (bytes: Buffer) => bytes.toString('base64url')

export type CursorPosition = readonly (string | number)[]

export interface CursorCodec {
  encode(after: CursorPosition): string
  /** The position a cursor of this list holds; TREC_VALIDATION (400) for any other string. */
  decode(cursor: string, field?: readonly string[]): CursorPosition
}

/** Cursors of the list named `list`, tagged with `key` (the same key on every instance). */
export function cursorCodec(list: string, key: string | Uint8Array): CursorCodec {
  const tag = (payload: string) => createHmac('sha256', key).update(payload).digest().subarray(0, TAG_BYTES)
  const refuse = (field: readonly string[], message: string) =>
    new TrecError('TREC_VALIDATION', 'The page cursor is not valid.', {
      issues: [{ path: [...field], code: 'invalid_cursor', message }],
    })
  return {
    encode(after) {
      const payload = b64url(Buffer.from(JSON.stringify({ list, after })))
      return `${payload}.${b64url(tag(payload))}`
    },
    decode(cursor, field = ['querystring', 'cursor']) {
      const [payload, mac, ...rest] = cursor.split('.')
      const given = Buffer.from(mac ?? '', 'base64url')
      // Decoding base64url skips what it cannot read (a character added to the tag, say): only a
      // tag that encodes back to itself is the one given.
      if (
        !payload ||
        rest.length > 0 ||
        given.length !== TAG_BYTES ||
        b64url(given) !== mac ||
        !timingSafeEqual(given, tag(payload))
      )
        throw refuse(field, 'a cursor as a previous page of this list gave it, unchanged')
      const body = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as {
        list?: unknown
        after?: unknown
      }
      if (body.list !== list)
        throw refuse(field, `a cursor of the ${list} list; this one is from the ${String(body.list)} list`)
      if (!Array.isArray(body.after)) throw refuse(field, 'a cursor holding a position')
      return body.after as CursorPosition
    },
  }
}
