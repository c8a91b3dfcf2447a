import { type AccessEvent, readAccessLog } from '@trec/command'
import { type EventDataToAppend, pseudonymSchema } from '@trec/contracts'
import { TrecError } from '@trec/core'

import {
  actorOf,
  assertRegion,
  MAX_PAGE,
  nextCursorField,
  type Pager,
  type Platform,
  pageFields,
  pager,
  principal,
  refuseIdempotencyKey,
} from '@trec/fastify-kit'
import { cardNumberSchema } from '@trec/privacy'
import { z } from 'zod'
import type { ResolvedOptions } from '../options.ts'
import { accessSource } from '../options.ts'
import { lookupPurposes } from '../purposes.ts'

const entrySchema = z
  .object({
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
  .meta({
    id: 'AccessLogEntry',
    description:
      'One read or export of a worker’s record: who, when, for what, under which case, and what it found.',
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
  const log = accessLogPager(options)
  app.get(
    '/v1/archive/access-log',
    {
      config: { auth: { roles: ['auditor'] } },
      schema: {
        tags: ['archive'],
        summary: 'Who read a worker’s record',
        operationId: 'getAccessLog',
        description:
          'An auditor reads the access log of a worker, by pseudonym: every read and export of their record, who ' +
          'made it, when, for what purpose and under which case, in the order they were logged. `limit` is at most ' +
          '200 (default 100), as on every list; pass `nextCursor` as `cursor` for the next page (a cursor that was ' +
          "changed, that another list gave, or that another worker's log gave is refused with 400). This read is " +
          'itself logged (`access_log`, purpose `audit`) before the answer.',
        querystring: z.strictObject({
          worker: pseudonymSchema,
          cursor: pageFields.cursor,
          limit: z.coerce.number().int().min(1).max(MAX_PAGE).default(100),
        }),
        response: { 200: logAnswer },
      },
    },
    async (request) => {
      const p = principal(request)
      const { worker, cursor, limit } = request.query
      const from = fromCursor(log, worker, cursor, ['querystring', 'cursor'])
      return answerLog(options, log, p, String(request.id), { worker, purpose: 'audit' }, from, limit)
    },
  )
}

const logExample = {
  worker: '5f2c0e1a9b7d4c3e8f6a2b1c0d9e8f7a',
  items: [
    {
      event: '0191b7a4-c2f0-7e3a-9d51-f0a2b3c4d5e6',
      type: 'RecordAccessed',
      revision: 0,
      at: '2026-03-02T08:00:00.000Z',
      recordedAt: '2026-03-02T08:00:00.012Z',
      actor: { kind: 'investigator', id: 'inv-7' },
      view: 'archive',
      purpose: 'fraud_case',
      caseRef: 'case-0191b7a4-c2f0-7e3a-9d51-f0a2b3c4d5e6',
      client: 'oversight-console',
      requestId: '0191b7a4-c2f0-7e3a-9d51-f0a2b3c4d5e7',
      found: true,
      flags: [],
    },
  ],
  nextCursor: 'eyJsaXN0IjoiYWNjZXNzLWxvZyIsImFmdGVyIjpbIjVmMmMiLDFdfQ.q3Jx…',
}

export const logAnswer = z
  .object({
    worker: z.string().describe('The worker’s pseudonym.'),
    items: z.array(entrySchema),
    nextCursor: nextCursorField,
  })
  .meta({
    id: 'AccessLog',
    description: 'A page of a worker’s access log, oldest first.',
    example: logExample,
  })

const logLookupBody = z
  .strictObject({
    cardNumber: cardNumberSchema,
    purpose: z.enum(['card_holder_request', 'consented_disclosure']),
    consentRef: z.string().min(1).max(64).optional(),
    /** The `nextCursor` of the previous page. */
    cursor: pageFields.cursor,
    limit: z.int().min(1).max(MAX_PAGE).default(100),
  })
  .refine((b) => b.purpose !== 'consented_disclosure' || b.consentRef !== undefined, {
    message: 'a consented disclosure names the consent (consentRef)',
    path: ['consentRef'],
  })
  .meta({
    id: 'AccessLogLookupRequest',
    description: 'Whose access log (by card number, in the body only), for what purpose, and which page.',
  })

/**
 * POST /v1/archive/access-log/lookup (card_service): who read a card holder's record, for the
 * holder at the counter (PIPL art. 45) or on their recorded consent. The card number is in the
 * body only and becomes the pseudonym as the body is validated, as for a lookup; a card service
 * reaches only cards issued inside its region. This read is itself an access event (`access_log`),
 * appended before the answer, so it shows in the log it answers from the next read on.
 */
export function accessLogLookupRoute(app: Platform, options: ResolvedOptions): void {
  const log = accessLogPager(options)
  const body = logLookupBody.transform(({ cardNumber, ...rest }) => ({
    worker: options.pseudonymizer.pseudonym(cardNumber),
    issuedIn: cardNumber.slice(0, 6),
    ...rest,
  }))
  app.post(
    '/v1/archive/access-log/lookup',
    {
      config: { auth: { roles: ['card_service'] } },
      onRequest: refuseIdempotencyKey,
      schema: {
        tags: ['archive'],
        summary: "Who read a card holder's record, by card number",
        operationId: 'lookUpAccessLog',
        description:
          'The access log of the worker whose card number is in the body: every read and export of their ' +
          'record, who made it, when, for what purpose and under which case. For the card holder at the ' +
          'counter (`card_holder_request`) or on their recorded consent (`consented_disclosure`, naming ' +
          '`consentRef`). A card service reaches only cards issued inside its region (the first six digits ' +
          'of the number). This read is logged (`access_log`) before the answer. `limit` is at most 200 (default ' +
          '100); pass `nextCursor` as `cursor` for the next page (a cursor that was changed, that another list ' +
          "gave, or that another card holder's log gave is refused with 400).",
        body,
        response: { 200: logAnswer },
      },
    },
    async (request) => {
      const p = principal(request)
      const { worker, issuedIn, purpose, consentRef, cursor, limit } = request.body
      if (!lookupPurposes[p.role]?.includes(purpose))
        throw new TrecError('TREC_FORBIDDEN', `a ${p.role} may not read a record for ${purpose}`, {
          details: { reason: 'purpose not allowed for role', purpose },
        })
      assertRegion(p, issuedIn)
      const from = fromCursor(log, worker, cursor, ['body', 'cursor'])
      return answerLog(
        options,
        log,
        p,
        String(request.id),
        { worker, purpose, ...(consentRef === undefined ? {} : { consentRef }) },
        from,
        limit,
      )
    },
  )
}

/** An access-log entry as paged: the worker whose log it is, and the event. */
interface LogRow {
  worker: string
  event: AccessEvent
}

/**
 * The access log pages by the same opaque cursor as every other list. A cursor holds the worker
 * whose log gave it and the revision to read from, so one worker's cursor is refused on another's.
 */
export function accessLogPager(options: ResolvedOptions): Pager<LogRow> {
  return pager<LogRow>('access-log', options.cursorKey, (r) => [r.worker, r.event.revision + 1])
}

/** The revision a page starts at: 0 without a cursor; 400 for a bad cursor, or another worker's. */
export function fromCursor(
  log: Pager<LogRow>,
  worker: string,
  cursor: string | undefined,
  field: string[],
): number {
  if (cursor === undefined) return 0
  const [of, revision] = log.codec.decode(cursor, field)
  if (of !== worker || typeof revision !== 'number' || !Number.isInteger(revision) || revision < 0)
    throw new TrecError('TREC_VALIDATION', 'The page cursor is not valid.', {
      issues: [{ path: field, code: 'invalid_cursor', message: "a cursor this worker's log gave" }],
    })
  return revision
}

/** Reads a page of a worker's access log, records that read in the same log, then answers it. */
export async function answerLog(
  options: ResolvedOptions,
  log: Pager<LogRow>,
  p: ReturnType<typeof principal>,
  requestId: string,
  read: Pick<EventDataToAppend<'RecordAccessed'>, 'worker' | 'purpose' | 'consentRef'>,
  fromRevision: number,
  limit: number,
) {
  const events = await readAccessLog(options.store, read.worker, { fromRevision, limit: limit + 1 })
  await options.accessLog.record(
    { ...read, view: 'access_log', client: p.clientId, requestId, found: events.length > 0, flags: [] },
    {
      occurredAt: options.clock().toISOString(),
      actor: actorOf(p),
      source: accessSource,
      region: options.region,
    },
  )
  const rows = events.map((event) => ({ worker: read.worker, event }))
  return { worker: read.worker, ...log.page(rows, limit, (r) => entryOf(r.event)) }
}
