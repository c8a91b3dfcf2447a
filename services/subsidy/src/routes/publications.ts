import { createHash } from 'node:crypto'
import { handleCommand } from '@trec/command'
import { commandAnswerWith, entityIdSchema, noteSchema } from '@trec/contracts'
import {
  assertRegion,
  assertRegionNamed,
  nextCursorField,
  type Platform,
  pageFields,
  pager,
  principal,
  sqlWhere,
} from '@trec/fastify-kit'
import { z } from 'zod'
import { subsidyDecider } from '../domain/claim-decider.ts'
import type { ResolvedOptions } from '../options.ts'
import type { ClaimListRow } from '../read/claims-projection.ts'
import { claimParams, loadClaim, metaFor, now, singleEventId } from './common.ts'

// 公示 before payment (NOT IN SEEDS; domain/publication.ts): the list of claims published now,
// names masked, and objections to them. Who objects: a member of the public, by phone, letter or
// in person at the bureau; a subsidy officer of the claim's region records the objection for them
// (the platform has no public accounts), and another ruling by an officer settles it. Filing is
// idempotent by content: the objection's id is a digest of the claim and the reason.

const objectionBody = z
  .strictObject({ reason: noteSchema.describe('What the objection says, as the officer took it down.') })
  .meta({
    id: 'PublicationObjectionRequest',
    description: 'An objection to a published claim, recorded by an officer for whoever raised it.',
    example: { reason: '该学员当月在外地务工，未参加培训（群众来电反映）' },
  })

const rulingBody = z
  .strictObject({
    /** upheld: the claim is rejected; dismissed: it is paid once its publication has passed. */
    outcome: z.enum(['upheld', 'dismissed']),
    note: noteSchema,
  })
  .meta({
    id: 'PublicationRulingRequest',
    description: 'An officer’s ruling on an objection to a published claim.',
    example: { outcome: 'dismissed', note: '经核查签到与人脸比对记录，异议不成立' },
  })

const rulingParams = claimParams.extend({
  objection: entityIdSchema.describe('The objection’s id, as filing it answered (pob-…).'),
})

const filedAnswer = commandAnswerWith(
  'FiledPublicationObjection',
  'objection',
  'The objection’s id.',
  'pob-5d1c0a9e2b7f4e3a8c6d1f0b9a2e7c4d5d1c0a9e',
)

const rulingAnswer = commandAnswerWith(
  'PublicationRuling',
  'objection',
  'The objection ruled on.',
  'pob-5d1c0a9e2b7f4e3a8c6d1f0b9a2e7c4d5d1c0a9e',
)

const listQuery = z.strictObject({
  /** A 行政区划代码 prefix of the claim's region (intersected with the token's). */
  region: z
    .string()
    .regex(/^\d{2}(\d{2}){0,2}$/, 'a 行政区划代码 prefix of 2, 4 or 6 digits')
    .optional(),
  ...pageFields,
})

const publicationExample = {
  claim: 'clm-5f2c****-1',
  worker: '5f2c****',
  region: '130102',
  institution: 'inst-130100-0001',
  occupation: '4-10-01-01',
  level: 4,
  amount: 150000,
  from: '2026-03-02',
  until: '2026-03-08',
  objection: 'none',
}

const publication = z
  .object({
    claim: z
      .string()
      .describe(
        'The claim id with the worker’s pseudonym in it masked (`clm-5f2c****-1`); officers find the claim by it.',
      ),
    worker: z.string().describe('The worker’s pseudonym, masked: its first four characters only.'),
    region: z.string(),
    institution: z.string().nullable(),
    occupation: z.string().nullable(),
    level: z.int().nullable(),
    /** In fen: the approved amount. */
    amount: z.int(),
    from: z.string(),
    until: z.string().describe('The last day of publication; the claim is paid only after it.'),
    /** none: no objection; open: one waits for a ruling; upheld or dismissed: ruled on. */
    objection: z.enum(['none', 'open', 'upheld', 'dismissed']),
  })
  .meta({
    id: 'Publication',
    description: 'An approved claim as published (公示), names masked.',
    example: publicationExample,
  })

const page = z
  .object({
    items: z.array(publication),
    nextCursor: nextCursorField,
  })
  .meta({
    id: 'PublicationPage',
    description: 'Claims published now (公示), newest first.',
    example: { items: [publicationExample] },
  })

/** A pseudonym as the publication shows it: its first four characters. */
const masked = (pseudonym: string) => `${pseudonym.slice(0, 4)}****`

export function publicationRoutes(app: Platform, options: ResolvedOptions): void {
  app.post(
    '/v1/claims/:claim/publication-objections',
    {
      config: { auth: { roles: ['subsidy_officer'] } },
      schema: {
        tags: ['subsidy'],
        summary: 'Record an objection to a published claim (公示异议)',
        operationId: 'objectToPublication',
        description:
          'A subsidy officer of the claim’s region records an objection a member of the public raised against an approved claim during its publication (公示). The claim is held (422 `publication-objection` at payment) until an officer rules on it. Refused (422 `publication-open`) outside the publication or for a claim not approved. The same reason filed again answers the same objection and appends nothing.',
        params: claimParams,
        body: objectionBody,
        response: { 201: filedAnswer },
      },
    },
    async (request, reply) => {
      const p = principal(request)
      const id = request.params.claim
      const loaded = await loadClaim(options, id)
      assertRegion(p, loaded.claim.submitted.region)
      const { at, today } = now(options)
      const objection = `pob-${createHash('sha256').update(`${id}\n${request.body.reason}`).digest('hex').slice(0, 40)}`
      const result = await handleCommand(options.store, subsidyDecider, {
        stream: `subsidy-${loaded.worker}`,
        command: { kind: 'publication-objection', claim: id, objection, reason: request.body.reason, today },
        meta: metaFor(p, at, loaded.claim.submitted.region, loaded.correlationId),
        nextId: singleEventId(request),
      })
      return reply.code(201).send({ ids: result.ids, revision: result.append.revision, objection })
    },
  )

  app.post(
    '/v1/claims/:claim/publication-objections/:objection/ruling',
    {
      config: { auth: { roles: ['subsidy_officer'] } },
      schema: {
        tags: ['subsidy'],
        summary: 'Rule on an objection to a published claim',
        operationId: 'ruleOnPublicationObjection',
        description:
          'A subsidy officer of the claim’s region rules on an open objection to a published claim: `upheld` rejects the claim; `dismissed` lets it be paid once its publication has passed. Refused (422 `publication-objection`) when there is no such objection or it is already ruled on.',
        params: rulingParams,
        body: rulingBody,
        response: { 201: rulingAnswer },
      },
    },
    async (request, reply) => {
      const p = principal(request)
      const { claim: id, objection } = request.params
      const loaded = await loadClaim(options, id)
      assertRegion(p, loaded.claim.submitted.region)
      const { at } = now(options)
      const result = await handleCommand(options.store, subsidyDecider, {
        stream: `subsidy-${loaded.worker}`,
        command: { kind: 'publication-ruling', claim: id, objection, ...request.body },
        meta: metaFor(p, at, loaded.claim.submitted.region, loaded.correlationId),
        nextId: singleEventId(request),
      })
      return reply.code(201).send({ ids: result.ids, revision: result.append.revision, objection })
    },
  )

  const list = options.claimsList
  if (!list) return
  const publications = pager<ClaimListRow>('publications', options.cursorKey, (r) => [String(r.position)])
  app.get(
    '/v1/publications',
    {
      config: { auth: { roles: ['subsidy_officer', 'reviewer', 'investigator', 'auditor', 'card_service'] } },
      schema: {
        tags: ['subsidy'],
        summary: 'Claims published before payment (公示), names masked',
        operationId: 'listPublications',
        description:
          'Approved claims whose publication (公示) has not ended, newest first, in the token’s region (a `region` outside it gives an empty page): claim, institution, occupation and level, approved amount in fen, the last day of publication and any objection. The worker is shown only as the first four characters of their pseudonym, in the claim id too; the record holds no names. No person’s record is read. `limit` is at most 200 (default 50); pass `nextCursor` as `cursor` for the next page.',
        querystring: listQuery,
        response: { 200: page },
      },
    },
    async (request) => {
      const p = principal(request)
      const q = request.query
      assertRegionNamed(p)
      const { today } = now(options)
      const where = sqlWhere()
        .raw("c.published_to is not null and c.published_to >= ? and c.status = 'approved'", today)
        .regionUnder('c.region', p.region)
        .regionUnder('c.region', q.region)
        .after('c.position < ?::int8', publications.after(q.cursor))
      const rows = await list.db.query<ClaimListRow>(
        `select * from ${list.runner.table('claims')} c ${where.sql()} order by c.position desc limit ${q.limit + 1}`,
        where.params,
      )
      return publications.page(rows, q.limit, (r) => ({
        claim: r.claim.replace(r.worker, masked(r.worker)),
        worker: masked(r.worker),
        region: r.region,
        institution: r.institution,
        occupation: r.occupation,
        level: r.level,
        amount: Number(r.approved_amount ?? r.amount),
        from: r.published_from ?? '',
        until: r.published_to ?? '',
        objection: (r.objection ?? 'none') as 'none' | 'open' | 'upheld' | 'dismissed',
      }))
    },
  )
}
