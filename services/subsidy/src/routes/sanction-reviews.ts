import { handleCommand } from '@trec/command'
import { noteSchema } from '@trec/contracts'
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
import { readClaimEvidence } from '../app/read-evidence.ts'
import { subsidyDecider } from '../domain/claim-decider.ts'
import type { ResolvedOptions } from '../options.ts'
import type { ClaimListRow, SanctionRow } from '../read/claims-projection.ts'
import { claimParams, commandAnswer, loadClaim, metaFor, now, singleEventId } from './common.ts'

// Claims caught by a sanction (domain/sanction-hold.ts): the list an officer works through, and
// the review that lets each continue to payment or rejects it.

const reviewBody = z
  .strictObject({
    /** continue: it may be paid once the gate allows (never during a suspension, never after a delisting); reject: it is rejected. */
    outcome: z.enum(['continue', 'reject']),
    note: noteSchema,
  })
  .meta({
    id: 'ClaimSanctionReviewRequest',
    example: { outcome: 'continue', note: '培训在暂停前已完成，经核查属实' },
  })

const listQuery = z.strictObject({
  /** A 行政区划代码 prefix of the claim's region (intersected with the token's). */
  region: z
    .string()
    .regex(/^\d{2}(\d{2}){0,2}$/, 'a 行政区划代码 prefix of 2, 4 or 6 digits')
    .optional(),
  /** `true`: also claims already reviewed (default: only those still waiting). */
  reviewed: z.enum(['true', 'false']).default('false'),
  ...pageFields,
})

const item = z
  .object({
    claim: z.string(),
    worker: z.string(),
    region: z.string(),
    institution: z.string(),
    class: z.string().nullable(),
    status: z.string(),
    claimedOn: z.string(),
    /** In fen. */
    amount: z.int(),
    sanction: z.object({
      kind: z.enum(['suspension', 'delisting']),
      from: z.string(),
      to: z.string().nullable(),
      case: z.string().nullable(),
    }),
    /** pending while it waits; then continue or reject. */
    review: z.enum(['pending', 'continue', 'reject']),
  })
  .meta({
    id: 'SanctionReviewItem',
    description: 'An open claim of a sanctioned institution, made before the sanction.',
  })

const page = z
  .object({
    items: z.array(item),
    nextCursor: nextCursorField,
  })
  .meta({
    id: 'SanctionReviewPage',
    description: 'Open claims of suspended or delisted institutions made before the sanction, newest first.',
    example: {
      items: [
        {
          claim: 'clm-5f2c0e1a9b7d4c3e8f6a2b1c0d9e8f7a-1',
          worker: '5f2c0e1a9b7d4c3e8f6a2b1c0d9e8f7a',
          region: '130102',
          institution: 'inst-130100-0001',
          class: 'cls-130100-0001-2026-01',
          status: 'approved',
          claimedOn: '2026-03-02',
          amount: 150000,
          sanction: { kind: 'delisting', from: '2026-04-01', to: null, case: 'case-130102-0001' },
          review: 'pending',
        },
      ],
    },
  })

type Row = ClaimListRow & Pick<SanctionRow, 'kind' | 'from_day' | 'to_day' | 'case_id'>

export function sanctionReviewRoutes(app: Platform, options: ResolvedOptions): void {
  app.post(
    '/v1/claims/:claim/sanction-review',
    {
      config: { auth: { roles: ['subsidy_officer'] } },
      schema: {
        tags: ['subsidy'],
        summary: 'Review a claim of a sanctioned institution: continue or reject',
        operationId: 'reviewClaimSanction',
        description:
          'A subsidy officer of the claim’s region records the review of an open claim whose institution came under a suspension or delisting after the claim was made: `continue` lets it go on to payment once the gate allows it (never during a suspension, never after a delisting), `reject` rejects it. Refused (422 `sanction-review`) when no sanction caught the claim. Answers the events appended.',
        params: claimParams,
        body: reviewBody,
        response: { 201: commandAnswer },
      },
    },
    async (request, reply) => {
      const p = principal(request)
      const id = request.params.claim
      const loaded = await loadClaim(options, id)
      const submitted = loaded.claim.submitted
      assertRegion(p, submitted.region)
      const evidence = await readClaimEvidence(options.store, {
        worker: loaded.worker,
        institution: submitted.payee.kind === 'worker' ? undefined : submitted.payee.id,
      })
      const { at } = now(options)
      const result = await handleCommand(options.store, subsidyDecider, {
        stream: `subsidy-${loaded.worker}`,
        command: { kind: 'sanction-review', claim: id, evidence, ...request.body },
        meta: metaFor(p, at, submitted.region, loaded.correlationId),
        nextId: singleEventId(request),
      })
      return reply.code(201).send({ ids: result.ids, revision: result.append.revision })
    },
  )

  const list = options.claimsList
  if (!list) return
  const reviews = pager<Row>('sanction-reviews', options.cursorKey, (r) => [String(r.position)])
  app.get(
    '/v1/sanction-reviews',
    {
      config: { auth: { roles: ['subsidy_officer', 'reviewer', 'investigator', 'auditor'] } },
      schema: {
        tags: ['subsidy'],
        summary: 'Open claims of sanctioned institutions, for review',
        operationId: 'listSanctionReviews',
        description:
          'Claims still open (submitted or approved) of institutions suspended or delisted after the claim was made, newest first, in the token’s region (a `region` outside it gives an empty page), each with the sanction (kind, first and last day, case) and its review so far. By default only claims still waiting for a review; `reviewed=true` shows the reviewed ones too. Claims are named by pseudonym; no person’s record is read. `limit` is at most 200 (default 50); pass `nextCursor` as `cursor` for the next page.',
        querystring: listQuery,
        response: { 200: page },
      },
    },
    async (request) => {
      const p = principal(request)
      const q = request.query
      assertRegionNamed(p)
      const where = sqlWhere()
        .raw("c.status in ('submitted', 'approved')")
        .regionUnder('c.region', p.region)
        .regionUnder('c.region', q.region)
        .after('c.position < ?::int8', reviews.after(q.cursor))
      if (q.reviewed !== 'true') where.raw('c.sanction_review is null')
      const rows = await list.db.query<Row>(
        `select c.*, s.kind, s.from_day, s.to_day, s.case_id from ${list.runner.table('claims')} c
           join lateral (select * from ${list.runner.table('sanctions')} s
              where s.institution = c.institution and s.from_day > c.claimed_on
              order by s.from_day desc limit 1) s on true
          ${where.sql()} order by c.position desc limit ${q.limit + 1}`,
        where.params,
      )
      return reviews.page(rows, q.limit, (r) => ({
        claim: r.claim,
        worker: r.worker,
        region: r.region,
        institution: r.institution ?? '',
        class: r.class,
        status: r.status,
        claimedOn: r.claimed_on,
        amount: Number(r.amount),
        sanction: {
          kind: r.kind as 'suspension' | 'delisting',
          from: r.from_day,
          to: r.to_day,
          case: r.case_id,
        },
        review: (r.sanction_review ?? 'pending') as 'pending' | 'continue' | 'reject',
      }))
    },
  )
}
