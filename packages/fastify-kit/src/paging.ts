import { createHmac, randomBytes } from 'node:crypto'
import { type CursorCodec, type CursorPosition, cursorCodec } from '@trec/core'
import { z } from 'zod'

// One way to page every list: `?limit=` (1–200, default 50) and `?cursor=` (the `nextCursor` of
// the previous page, opaque, from @trec/core's cursorCodec), answered `{ items, nextCursor? }`.
// The order of each list is stable (ends in a unique key), so a cursor keeps its place while
// rows are added. A limit over 200, an edited or made-up cursor, or one another list gave, is a
// problem+json 400 naming the field.

export const MAX_PAGE = 200

/** The querystring fields of a page; spread into a list's strict query object. */
export const pageFields = {
  limit: z.coerce.number().int().min(1).max(MAX_PAGE).default(50),
  cursor: z.string().min(1).max(512).optional(),
}

/** The `nextCursor` field of a page's answer schema. */
export const nextCursorField = z
  .string()
  .optional()
  .describe('Pass as `cursor` for the next page; absent on the last.')

/**
 * The key page cursors are tagged with, derived from a deployment secret so every instance
 * tags alike and nobody outside can make a cursor up. Without a secret (a test), a random key:
 * the cursors then hold only inside this process.
 */
export function cursorKeyOf(secret?: string | Uint8Array): Buffer {
  return secret === undefined
    ? randomBytes(32)
    : createHmac('sha256', secret).update('trec page cursor v1').digest()
}

export interface Pager<R> {
  codec: CursorCodec
  /** The position a `cursor` holds, or undefined for the first page (400 for a bad cursor). */
  after(cursor: string | undefined): CursorPosition | undefined
  /** Rows fetched with `limit + 1` as a page: the first `limit`, and a cursor when there are more. */
  page<T>(rows: readonly R[], limit: number, view: (row: R) => T): { items: T[]; nextCursor?: string }
}

/** Paging of the list named `list`, whose rows are placed by `position` (a unique, stable key). */
export function pager<R>(list: string, key: Uint8Array, position: (row: R) => CursorPosition): Pager<R> {
  const codec = cursorCodec(list, key)
  return {
    codec,
    after: (cursor) => (cursor === undefined ? undefined : codec.decode(cursor)),
    page(rows, limit, view) {
      const shown = rows.slice(0, limit)
      const last = shown.at(-1)
      const items = shown.map(view)
      return rows.length > limit && last ? { items, nextCursor: codec.encode(position(last)) } : { items }
    },
  }
}
