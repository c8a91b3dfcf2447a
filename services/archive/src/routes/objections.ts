import { createHash } from 'node:crypto'
import { handleCommand, reject } from '@trec/command'
import {
  commandAnswerSchema,
  commandAnswerWith,
  decodeRecorded,
  noteSchema,
  objectionDecisions,
  objectionEntrySchema,
  objectionIdSchema,
} from '@trec/contracts'
import { isTrecError, TrecError } from '@trec/core'
import {
  actorOf,
  assertRegion,
  assertRegionNamed,
  ownWorker,
  type Platform,
  pageFields,
  pager,
  principal,
  readerOf,
  singleEventId,
  sqlWhere,
} from '@trec/fastify-kit'
import type { WorkerArchive } from '@trec/readmodels'
import { z } from 'zod'
import type { ObjectionRow } from '../objections-projection.ts'
import type { ResolvedOptions } from '../options.ts'
import { accessSource } from '../options.ts'

// Objections (异议, PIPL art. 46: to have one's record corrected): a worker objects to an entry of
// their archive; the objection lands in the queue of the subsidy officers of the entry's region,
// who answer it on the record (accepted or rejected, with the reason); the worker reads the answer
// in their own list. Filing is idempotent by content: the objection's id is a digest of the
// worker, the entry and the reason, so a retry, with or without an Idempotency-Key, files nothing
// new and answers the same objection.

const fileBody = z
  .strictObject({
    entry: objectionEntrySchema.describe(
      'The entry objected to: a training (its class), an assessment, a certificate or a payment (its claim).',
    ),
    reason: noteSchema.describe('What is wrong with it, in the worker’s words.'),
  })
  .meta({
    id: 'FileObjectionRequest',
    description: 'Which entry of their archive the worker objects to, and why.',
  })

const answerBody = z
  .strictObject({
    decision: z.enum(objectionDecisions),
    reason: noteSchema.describe('Why, as the worker will read it.'),
  })
  .meta({ id: 'AnswerObjectionRequest', description: 'The officer’s answer to an objection, and why.' })

const objectionExample = {
  objection: 'obj-5d1c0a9e2b7f4e3a8c6d1f0b9a2e7c4d5d1c0a9e',
  worker: '5f2c0e1a9b7d4c3e8f6a2b1c0d9e8f7a',
  region: '130102',
  entry: { kind: 'training', id: 'class-130102-0042' },
  reason: '我没有参加这个班，签到不是我本人',
  filedAt: '2026-03-02T08:00:00.000Z',
  status: 'answered',
  decision: 'accepted',
  answer: '经核查，签到记录系机构代签，已立案处理',
  answeredAt: '2026-03-05T02:00:00.000Z',
  answeredBy: 'subsidy_officer:officer-1301',
}

const objectionSchema = z
  .object({
    objection: z.string(),
    worker: z.string().describe('The worker’s pseudonym.'),
    region: z.string().describe('The region whose officers answer: the entry’s.'),
    entry: z.object({ kind: z.string(), id: z.string() }),
    reason: z.string(),
    filedAt: z.string(),
    status: z.enum(['open', 'answered']),
    decision: z.enum(objectionDecisions).nullable(),
    answer: z.string().nullable().describe('The officer’s reason.'),
    answeredAt: z.string().nullable(),
    answeredBy: z.string().nullable().describe('`role:subject` of the officer who answered.'),
  })
  .meta({
    id: 'Objection',
    description: 'A worker’s objection to an entry of their archive, and the answer once given.',
    example: objectionExample,
  })

const objectionPage = z
  .object({
    items: z.array(objectionSchema),
    nextCursor: z
      .string()
      .optional()
      .describe('Pass as `cursor` for the next page; absent on the last page.'),
  })
  .meta({
    id: 'ObjectionPage',
    description: 'A page of objections, oldest first.',
    example: {
      items: [objectionExample],
      nextCursor: 'eyJsaXN0Ijoib2JqZWN0aW9ucyIsImFmdGVyIjpbIjEwMjQiXX0.q3Jx…',
    },
  })

const filed = commandAnswerWith(
  'FiledObjection',
  'objection',
  'The objection’s id.',
  'obj-5d1c0a9e2b7f4e3a8c6d1f0b9a2e7c4d5d1c0a9e',
)

function objectionView(r: ObjectionRow) {
  return {
    objection: r.objection,
    worker: r.worker,
    region: r.region,
    entry: { kind: r.entry_kind, id: r.entry_id },
    reason: r.reason,
    filedAt: r.filed_at,
    status: r.status,
    decision: r.decision,
    answer: r.answer,
    answeredAt: r.answered_at,
    answeredBy: r.answered_by,
  }
}

/** The region of an entry of the archive (its class's), or undefined when the archive has no such entry. */
function entryRegion(
  archive: WorkerArchive,
  entry: z.output<typeof objectionEntrySchema>,
  fallback: string,
): string | undefined {
  const classRegion = (c: string | undefined) =>
    archive.trainings.find((t) => t.class === c)?.region ?? fallback
  switch (entry.kind) {
    case 'training': {
      const t = archive.trainings.find((x) => x.class === entry.id)
      return t && (t.region ?? fallback)
    }
    case 'assessment': {
      const a = archive.assessments.find((x) => x.assessment === entry.id)
      return a && classRegion(a.class)
    }
    case 'certificate':
      return archive.certificates.some((x) => x.certificate === entry.id) ? fallback : undefined
    case 'payment': {
      const p = archive.subsidies.payments.find((x) => x.claim === entry.id)
      return p && classRegion(p.class)
    }
  }
}

const notFound = () =>
  new TrecError('TREC_NOT_FOUND', 'no such objection', { details: { reason: 'objection' } })

export function objectionRoutes(app: Platform, options: ResolvedOptions): void {
  const table = () => options.objections.table('objections')
  const where = () => ({ at: options.clock(), source: accessSource, region: options.region })

  app.post(
    '/v1/me/objections',
    {
      config: { auth: { roles: ['worker'] } },
      schema: {
        tags: ['archive'],
        summary: 'A worker objects to an entry of their archive',
        operationId: 'fileObjection',
        description:
          'The worker the token names objects (异议) to an entry of their own archive — a training (by class), an ' +
          'assessment, a certificate or a payment (by claim) — with their reason (ObjectionFiled). It lands in the ' +
          'queue of the subsidy officers of the entry’s region. 422 naming `body.entry.id` when the archive holds no ' +
          'such entry. Idempotent by content: the same entry and reason again answer the same objection, writing ' +
          'nothing.',
        body: fileBody,
        response: { 201: filed },
      },
    },
    async (request, reply) => {
      const p = principal(request)
      const worker = ownWorker(p)
      const { entry, reason } = request.body
      const archive = await options.reads.read(worker)
      const region = archive && entryRegion(archive, entry, options.region)
      if (region === undefined)
        throw new TrecError('TREC_RULE_FAILED', `your archive holds no ${entry.kind} ${entry.id}`, {
          details: {
            reasons: [{ rule: 'objection-entry', message: `no ${entry.kind} ${entry.id} in the archive` }],
          },
          issues: [
            {
              path: ['body', 'entry', 'id'],
              code: 'objection-entry',
              message: 'not an entry of your archive',
            },
          ],
        })
      const objection = `obj-${createHash('sha256')
        .update(JSON.stringify([worker, entry.kind, entry.id, reason]))
        .digest('hex')
        .slice(0, 40)}`
      const stream = `objection-${objection}`
      // Filed before (a retry, or the same objection again): the answer is the filing on record.
      const onRecord = async () => {
        const events = await options.store.readStream(stream)
        return events.length > 0 ? { ids: [events[0]!.id], revision: events.length - 1 } : undefined
      }
      let result = await onRecord()
      if (!result)
        try {
          const appended = await handleCommand(
            options.store,
            {
              initialState: () => ({ filed: false }),
              evolve: () => ({ filed: true }),
              decide: (_c: null, s) => {
                if (s.filed) reject({ rule: 'objection-new', message: 'this objection is already filed' })
                return [
                  { type: 'ObjectionFiled' as const, data: { objection, worker, entry, reason, region } },
                ]
              },
            },
            {
              stream,
              command: null,
              meta: {
                occurredAt: options.clock().toISOString(),
                actor: actorOf(p),
                source: accessSource,
                region,
              },
              nextId: singleEventId(request),
            },
          )
          result = { ids: appended.ids, revision: appended.append.revision }
        } catch (error) {
          result = isTrecError(error, 'TREC_RULE_FAILED') ? await onRecord() : undefined
          if (!result) throw error
        }
      return reply.code(201).send({ ...result, objection })
    },
  )

  const mine = pager<ObjectionRow>('my-objections', options.cursorKey, (r) => [String(r.position)])
  app.get(
    '/v1/me/objections',
    {
      config: { auth: { roles: ['worker'] } },
      schema: {
        tags: ['archive'],
        summary: 'A worker’s own objections and the answers to them',
        operationId: 'listOwnObjections',
        description:
          'The worker the token names reads the objections they filed, oldest first, each with the officer’s answer ' +
          'once given (accepted or rejected, with the reason). `limit` is at most 200 (default 50); pass `nextCursor` ' +
          'as `cursor` for the next page; a cursor changed or given by another list is refused with 400. Logged ' +
          '(`objections`, purpose `own_record`) before the answer.',
        querystring: z.strictObject({ ...pageFields }),
        response: { 200: objectionPage },
      },
    },
    async (request) => {
      const p = principal(request)
      const worker = ownWorker(p)
      const q = request.query
      const filter = sqlWhere().equals('worker', worker).after('position > ?::int8', mine.after(q.cursor))
      const rows = await options.db.query<ObjectionRow>(
        `select * from ${table()} ${filter.sql()} order by position limit ${q.limit + 1}`,
        filter.params,
      )
      await options.accessLog.record(
        {
          worker,
          view: 'objections',
          purpose: 'own_record',
          client: p.clientId,
          requestId: String(request.id),
          found: rows.length > 0,
          flags: [],
        },
        {
          occurredAt: options.clock().toISOString(),
          actor: actorOf(p),
          source: accessSource,
          region: options.region,
        },
      )
      return mine.page(rows, q.limit, objectionView)
    },
  )

  const queue = pager<ObjectionRow>('objections', options.cursorKey, (r) => [String(r.position)])
  app.get(
    '/v1/objections',
    {
      config: { auth: { roles: ['subsidy_officer'] } },
      schema: {
        tags: ['archive'],
        summary: 'Workers’ objections in the officer’s region, oldest first (the objections queue)',
        operationId: 'listObjections',
        description:
          'A subsidy officer reads the objections filed about entries of the token’s region, oldest first, by ' +
          'status (`open` for the queue) and region prefix (intersected with the token’s). `limit` is at most 200 ' +
          '(default 50); pass `nextCursor` as `cursor` for the next page; a cursor changed or given by another list ' +
          'is refused with 400. An objection holds the worker’s own words about their record: each worker on the ' +
          'page is logged (`objections`, purpose `administration`) before the answer.',
        querystring: z.strictObject({
          status: z.enum(['open', 'answered']).optional(),
          /** A 行政区划代码 prefix of the objection's region (intersected with the token's). */
          region: z
            .string()
            .regex(/^\d{2}(\d{2}){0,2}$/)
            .optional(),
          ...pageFields,
        }),
        response: { 200: objectionPage },
      },
    },
    async (request) => {
      const p = principal(request)
      assertRegionNamed(p)
      const q = request.query
      const filter = sqlWhere()
        .equals('status', q.status)
        .regionUnder('region', p.region)
        .regionUnder('region', q.region)
        .after('position > ?::int8', queue.after(q.cursor))
      const rows = await options.db.query<ObjectionRow>(
        `select * from ${table()} ${filter.sql()} order by position limit ${q.limit + 1}`,
        filter.params,
      )
      const page = queue.page(rows, q.limit, objectionView)
      const reader = readerOf(p, String(request.id))
      await Promise.all(
        [...new Set(page.items.map((o) => o.worker))].map((worker) =>
          options.accessLog.recordRead(reader, { worker, view: 'objections' }, where()),
        ),
      )
      return page
    },
  )

  app.post(
    '/v1/objections/:objection/answer',
    {
      config: { auth: { roles: ['subsidy_officer'] } },
      schema: {
        tags: ['archive'],
        summary: 'An officer answers a worker’s objection: accepted or rejected, with the reason',
        operationId: 'answerObjection',
        description:
          'A subsidy officer of the objection’s region answers it on the record (ObjectionAnswered): accepted or ' +
          'rejected, with the reason the worker will read. 404 for an objection not on the record, 403 outside the ' +
          'token’s region, 422 when it is already answered. Answers the event appended.',
        params: z.strictObject({ objection: objectionIdSchema }),
        body: answerBody,
        response: { 201: commandAnswerSchema },
      },
    },
    async (request, reply) => {
      const p = principal(request)
      const { objection } = request.params
      const stream = `objection-${objection}`
      const first = (await options.store.readStream(stream, { maxCount: 1 }))[0]
      if (!first) throw notFound()
      const filing = decodeRecorded(first)
      if (filing.type !== 'ObjectionFiled') throw notFound()
      assertRegion(p, filing.data.region)
      const result = await handleCommand(
        options.store,
        {
          initialState: () => ({ answered: false }),
          evolve: (s, e) => (e.type === 'ObjectionAnswered' ? { answered: true } : s),
          decide: (_c: null, s) => {
            if (s.answered) reject({ rule: 'objection-open', message: 'the objection is already answered' })
            return [
              {
                type: 'ObjectionAnswered' as const,
                data: { objection, worker: filing.data.worker, ...request.body },
              },
            ]
          },
        },
        {
          stream,
          command: null,
          meta: {
            occurredAt: options.clock().toISOString(),
            actor: actorOf(p),
            source: accessSource,
            region: filing.data.region,
          },
          nextId: singleEventId(request),
        },
      )
      return reply.code(201).send({ ids: result.ids, revision: result.append.revision })
    },
  )
}
