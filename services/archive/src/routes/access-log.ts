import { type AccessEvent, readAccessLog } from '@trec/command'
import { pseudonymSchema } from '@trec/contracts'
import { actorOf, type Platform, principal } from '@trec/fastify-kit'
import { z } from 'zod'
import type { ResolvedOptions } from '../options.ts'
import { accessSource } from '../options.ts'

const entrySchema = z.object({
  event: z.string(),
  /** What happened: a read of the record (RecordAccessed) or an export of it (RecordsExported). */
  type: z.enum(['RecordAccessed', 'RecordsExported']),
  revision: z.int(),
  at: z.string(),
  recordedAt: z.string(),
  actor: z.object({ kind: z.string(), id: z.string(), institution: z.string().optional() }),
  /** `archive` or `access_log` for a read, `export` for an export. */
  view: z.string(),
  purpose: z.string(),
  caseRef: z.string().optional(),
  consentRef: z.string().optional(),
  asOf: z.string().optional(),
  client: z.string(),
  requestId: z.string(),
  found: z.boolean(),
  flags: z.array(z.string()),
  /** For an export: how many events it held and the checkpoint they were proved against. */
  exported: z.object({ events: z.int(), checkpointSize: z.int() }).optional(),
})

/** One line of the log, whichever kind of access event it is. */
function entryOf(e: AccessEvent): z.infer<typeof entrySchema> {
  const common = {
    event: e.id,
    type: e.type,
    revision: e.revision,
    at: e.occurredAt,
    recordedAt: e.recordedAt,
    actor: e.actor,
    purpose: e.data.purpose,
    ...(e.data.caseRef === undefined ? {} : { caseRef: e.data.caseRef }),
    client: e.data.client,
    requestId: e.data.requestId,
  }
  if (e.type === 'RecordsExported')
    return {
      ...common,
      view: 'export',
      found: e.data.events > 0,
      flags: [],
      exported: { events: e.data.events, checkpointSize: e.data.checkpointSize },
    }
  return {
    ...common,
    view: e.data.view,
    ...(e.data.consentRef === undefined ? {} : { consentRef: e.data.consentRef }),
    ...(e.data.asOf === undefined ? {} : { asOf: e.data.asOf }),
    found: e.data.found,
    flags: e.data.flags,
  }
}

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
          actor: actorOf(p),
          source: accessSource,
          region: options.region,
        },
      )
      return {
        worker,
        entries: events.map(entryOf),
        nextRevision: events.length === limit ? events.at(-1)!.revision + 1 : null,
      }
    },
  )
}
