import { createHash } from 'node:crypto'
import { cursorCodec } from '@trec/core'
import type { Platform } from '@trec/fastify-kit'
import { z } from 'zod'
import type { ResolvedAuditOptions } from '../options.ts'
import { type CheckpointRow, toCheckpoint } from '../sql/audit-db.ts'
import { checkpointExample, checkpointView, proofReaders, viewOf } from './common.ts'

// The history of signed checkpoints, newest first, a page at a time (the console's auditor view
// starts here). Order: the order of signing (the table's identity column), which never changes
// for a row already written, so a cursor keeps its place while the notary signs more. The
// cursor's key is derived from the log's origin and published keys: the same on every instance
// of this log, different for another log (@trec/core cursor.ts says what the tag is for).

export const MAX_PAGE = 200

const pageQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(MAX_PAGE).default(50),
  cursor: z.string().min(1).max(512).optional(),
})

const checkpointPage = z
  .object({
    items: z.array(checkpointView),
    nextCursor: z
      .string()
      .optional()
      .describe('Pass as `cursor` for the next (older) page; absent on the last page.'),
  })
  .meta({
    id: 'CheckpointPage',
    description: 'A page of signed checkpoints, newest first.',
    example: {
      items: [checkpointExample],
      nextCursor: 'eyJsaXN0IjoiY2hlY2twb2ludHMiLCJhZnRlciI6WzQxXX0.q3Jx…',
    },
  })

export function checkpointListRoutes(app: Platform, o: ResolvedAuditOptions): void {
  const key = createHash('sha256')
    .update(`trec page cursor\n${o.origin}\n${o.keys.toNoteVerifierKeys().join('\n')}`)
    .digest()
  const cursors = cursorCodec('checkpoints', key)
  const rowsOf = o.log.checkpointRows('c')
  app.get(
    '/v1/audit/checkpoints',
    {
      config: { auth: { roles: proofReaders } },
      schema: {
        summary: 'Signed checkpoints, newest first, a page at a time',
        operationId: 'listCheckpoints',
        description:
          'An auditor or an investigator reads every checkpoint the log signed, in the reverse order of signing. `limit` is at most 200 (default 50); ' +
          '`nextCursor` fetches the next older page. A cursor that was changed, or that another list gave, is refused with 400.',
        tags: ['audit'],
        querystring: pageQuery,
        response: { 200: checkpointPage },
      },
    },
    async (request) => {
      const { limit, cursor } = request.query
      // The codec's tag guarantees the position is one this route encoded: a single seq.
      const after = cursor === undefined ? undefined : Number(cursors.decode(cursor)[0])
      const rows = await o.log.db.query<CheckpointRow>(
        `select * from (${rowsOf}) c ${after === undefined ? '' : 'where c.seq < $2'}
          order by c.seq desc limit $1`,
        after === undefined ? [limit + 1] : [limit + 1, after],
      )
      const page = rows.slice(0, limit)
      const items = page.map((r) => viewOf(toCheckpoint(r)))
      const last = page.at(-1)
      return rows.length > limit && last
        ? { items, nextCursor: cursors.encode([Number(last.seq)]) }
        : { items }
    },
  )
}
