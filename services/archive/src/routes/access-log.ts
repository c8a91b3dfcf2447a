import { pseudonymSchema } from '@trec/contracts'
import { type Platform, principal } from '@trec/fastify-kit'
import { z } from 'zod'
import { accessSource, readAccessLog } from '../access-log.ts'
import type { ResolvedOptions } from '../options.ts'

const entrySchema = z.object({
  event: z.string(),
  revision: z.int(),
  at: z.string(),
  recordedAt: z.string(),
  actor: z.object({ kind: z.string(), id: z.string(), institution: z.string().optional() }),
  view: z.string(),
  purpose: z.string(),
  caseRef: z.string().optional(),
  consentRef: z.string().optional(),
  asOf: z.string().optional(),
  client: z.string(),
  requestId: z.string(),
  found: z.boolean(),
  flags: z.array(z.string()),
})

/**
 * GET /v1/archive/access-log?worker=<pseudonym> (auditor): who read this worker's record, when,
 * for what and under which case (PIPL art. 55–56 record-keeping; the subject-facing report of
 * docs/architecture.md, "Reads are recorded"). Reading the log of a person is itself a read, logged before the answer.
 */
export function accessLogRoute(app: Platform, options: ResolvedOptions): void {
  app.get(
    '/v1/archive/access-log',
    {
      config: { auth: { roles: ['auditor'] } },
      schema: {
        tags: ['archive'],
        summary: 'Who read a worker’s record',
        querystring: z.strictObject({
          worker: pseudonymSchema,
          fromRevision: z.coerce.number().int().min(0).default(0),
          limit: z.coerce.number().int().min(1).max(1000).default(100),
        }),
        response: {
          200: z.object({
            worker: z.string(),
            entries: z.array(entrySchema),
            nextRevision: z.int().nullable(),
          }),
        },
      },
    },
    async (request) => {
      const p = principal(request)
      const { worker, fromRevision, limit } = request.query
      const events = await readAccessLog(options.store, worker, { fromRevision, limit })
      await options.accessLog.record(
        {
          worker,
          view: 'access_log',
          purpose: 'audit',
          client: p.clientId,
          requestId: String(request.id),
          found: events.length > 0,
          flags: [],
        },
        {
          occurredAt: options.clock().toISOString(),
          actor: { kind: p.role, id: p.subject },
          source: accessSource,
          region: options.region,
        },
      )
      return {
        worker,
        entries: events.map((e) => ({
          event: e.id,
          revision: e.revision,
          at: e.occurredAt,
          recordedAt: e.recordedAt,
          actor: e.actor,
          view: e.data.view,
          purpose: e.data.purpose,
          ...(e.data.caseRef === undefined ? {} : { caseRef: e.data.caseRef }),
          ...(e.data.consentRef === undefined ? {} : { consentRef: e.data.consentRef }),
          ...(e.data.asOf === undefined ? {} : { asOf: e.data.asOf }),
          client: e.data.client,
          requestId: e.data.requestId,
          found: e.data.found,
          flags: e.data.flags,
        })),
        nextRevision: events.length === limit ? events.at(-1)!.revision + 1 : null,
      }
    },
  )
}
