import { actorOf, MAX_PAGE, ownWorker, type Platform, pageFields, principal } from '@trec/fastify-kit'
import { foldWorkerArchive } from '@trec/readmodels'
import { z } from 'zod'
import type { ResolvedOptions } from '../options.ts'
import { accessSource } from '../options.ts'
import { accessLogPager, answerLog, fromCursor, logAnswer } from './access-log.ts'
import { archiveRecord } from './lookup.ts'

// A worker's own view (PIPL art. 44–45: to know and to read): with a token of role `worker`
// (POST /v1/worker-sessions, for a signed real-name attestation) the worker reads the archive the
// card service reads for them, and who read it, when and why. No purpose is asked: reading one's
// own record is its own purpose (`own_record`), and it is logged like every read, before the
// answer, as the worker's own.

export function ownRecordRoutes(app: Platform, options: ResolvedOptions): void {
  const log = accessLogPager(options)
  app.get(
    '/v1/me/archive',
    {
      config: { auth: { roles: ['worker'] } },
      schema: {
        tags: ['archive'],
        summary: 'A worker reads their own lifelong archive',
        operationId: 'getOwnArchive',
        description:
          'The worker the token names (their pseudonym, from a signed real-name attestation) reads their lifelong ' +
          'training archive: trainings, assessments, certificates and subsidies, the same record a card service ' +
          'answers for them. The read is logged (RecordAccessed, purpose `own_record`) before the answer.',
        response: { 200: archiveRecord },
      },
    },
    async (request) => {
      const p = principal(request)
      const worker = ownWorker(p)
      const archive = (await options.reads.read(worker)) ?? foldWorkerArchive(worker, [])
      const event = await options.accessLog.record(
        {
          worker,
          view: 'archive',
          purpose: 'own_record',
          client: p.clientId,
          requestId: String(request.id),
          found: archive.found,
          flags: [],
        },
        {
          occurredAt: options.clock().toISOString(),
          actor: actorOf(p),
          source: accessSource,
          region: options.region,
        },
      )
      return { worker, archive, access: { event, flags: [] } }
    },
  )

  app.get(
    '/v1/me/access-log',
    {
      config: { auth: { roles: ['worker'] } },
      schema: {
        tags: ['archive'],
        summary: 'A worker reads who read their record, when and why',
        operationId: 'getOwnAccessLog',
        description:
          'The worker the token names reads the access log of their own record (PIPL art. 45): every read and ' +
          'export, who made it, when, for what purpose and under which case, oldest first, their own reads ' +
          'included. `limit` is at most 200 (default 100), as on every list; pass `nextCursor` as `cursor` for the ' +
          'next page (a changed cursor, or one another list gave, is refused with 400). This read is logged (`access_log`, purpose `own_record`) before the answer.',
        querystring: z.strictObject({
          cursor: pageFields.cursor,
          limit: z.coerce.number().int().min(1).max(MAX_PAGE).default(100),
        }),
        response: { 200: logAnswer },
      },
    },
    async (request) => {
      const p = principal(request)
      const worker = ownWorker(p)
      const { cursor, limit } = request.query
      const from = fromCursor(log, worker, cursor, ['querystring', 'cursor'])
      return answerLog(options, log, p, String(request.id), { worker, purpose: 'own_record' }, from, limit)
    },
  )
}
