import type { RuleViolation } from '@trec/command'
import { entityIdSchema, pseudonymSchema } from '@trec/contracts'
import {
  assertInstitution,
  assertRegionNamed,
  nextCursorField,
  type Platform,
  pageFields,
  pager,
  principal,
  readerOf,
} from '@trec/fastify-kit'
import { z } from 'zod'
import { lacksForPayment, ruleSetCache } from '../app/claim-lacks.ts'
import type { ResolvedOptions } from '../options.ts'
import type { ClaimListRow } from '../read/claims-projection.ts'
import { forbidden, ruleSetRef, source } from './common.ts'

const statuses = ['submitted', 'approved', 'rejected', 'paid', 'clawed_back'] as const

const listQuery = z.strictObject({
  /** A 行政区划代码 prefix of the claim's region (intersected with the token's). */
  region: z
    .string()
    .regex(/^\d{2}(\d{2}){0,2}$/, 'a 行政区划代码 prefix of 2, 4 or 6 digits')
    .optional(),
  institution: entityIdSchema.optional(),
  class: entityIdSchema.optional(),
  status: z.enum(statuses).optional(),
  worker: pseudonymSchema.optional(),
  /** `true`: each claim not yet paid or rejected carries what it still lacks for payment. */
  lacks: z.enum(['true', 'false']).default('false'),
  ...pageFields,
})

const violation = z
  .object({
    rule: z.string(),
    message: z.string(),
    ruleSet: ruleSetRef.optional(),
    details: z.record(z.string(), z.unknown()).optional(),
  })
  .meta({
    id: 'RuleViolation',
    description: 'A rule a claim fails, the set that states it, and the facts behind it.',
    example: {
      rule: 'certificate-held',
      message: 'the record holds no certificate for the occupation and level claimed',
      ruleSet: { id: 'hebei-2026', version: 1 },
    },
  })

const claimItem = z
  .object({
    claim: z.string(),
    worker: z.string(),
    region: z.string(),
    institution: z.string().nullable(),
    class: z.string().nullable(),
    kind: z.string(),
    payeeKind: z.string(),
    status: z.enum(statuses),
    claimedOn: z.string(),
    occupationCode: z.string().nullable(),
    level: z.int().nullable(),
    /** In fen. */
    amounts: z.object({
      claimed: z.int(),
      approved: z.int().nullable(),
      paid: z.int(),
      clawedBack: z.int(),
    }),
    /** With `lacks=true`: what the payment gate would refuse now (empty: it would pay); else absent. */
    lacks: z.array(violation).nullable().optional(),
  })
  .meta({
    id: 'ClaimSummary',
    description: 'A claim as the list shows it; amounts in fen.',
  })

const example = {
  items: [
    {
      claim: 'clm-5f2c0e1a9b7d4c3e8f6a2b1c0d9e8f7a-1',
      worker: '5f2c0e1a9b7d4c3e8f6a2b1c0d9e8f7a',
      region: '130102',
      institution: 'inst-130100-0001',
      class: 'cls-130100-0001-2026-01',
      kind: 'training',
      payeeKind: 'provider',
      status: 'approved',
      claimedOn: '2026-03-02',
      occupationCode: '4-10-01-02',
      level: 4,
      amounts: { claimed: 150000, approved: 150000, paid: 0, clawedBack: 0 },
      lacks: [
        {
          rule: 'certificate-held',
          message: 'the record holds no certificate for the occupation and level claimed',
          ruleSet: { id: 'hebei-2026', version: 1 },
        },
      ],
    },
  ],
  nextCursor: 'eyJsaXN0IjoiY2xhaW1zIiwiYWZ0ZXIiOlsiMTAyNCJdfQ.q3Jx…',
}

const claimPage = z
  .object({
    items: z.array(claimItem),
    nextCursor: nextCursorField,
  })
  .meta({ id: 'ClaimPage', description: 'A page of claims, newest first.', example })

const fen = (v: string | number | null) => (v === null ? null : Number(v))

function view(r: ClaimListRow) {
  return {
    claim: r.claim,
    worker: r.worker,
    region: r.region,
    institution: r.institution,
    class: r.class,
    kind: r.kind,
    payeeKind: r.payee_kind,
    status: r.status as (typeof statuses)[number],
    claimedOn: r.claimed_on,
    occupationCode: r.occupation,
    level: r.level,
    amounts: {
      claimed: Number(r.amount),
      approved: fen(r.approved_amount),
      paid: Number(r.paid_amount),
      clawedBack: Number(r.clawed_back),
    },
  }
}

/**
 * GET /v1/claims: claims newest first, filtered and paged, inside the token's reach — an
 * institution's staff see the claims paid (or to be paid) to their institution, region-bound
 * roles their region. With `lacks=true` each open claim carries what the payment gate would
 * refuse now. Reading what a claim lacks reads its worker's record, so it is an access event of
 * that worker (`claim`), as is a list filtered to one worker; a plain page of claims by
 * pseudonym is not.
 */
export function listClaimsRoute(app: Platform, options: ResolvedOptions): void {
  const list = options.claimsList
  if (!list) return
  const claims = pager<ClaimListRow>('claims', options.cursorKey, (r) => [String(r.position)])
  app.get(
    '/v1/claims',
    {
      config: {
        auth: {
          roles: ['institution_staff', 'subsidy_officer', 'finance', 'reviewer', 'investigator', 'auditor'],
        },
      },
      schema: {
        tags: ['subsidy'],
        summary: 'Claims, newest first, with what each still lacks for payment',
        operationId: 'listClaims',
        description:
          'Claims in the order they were submitted, newest first, filtered by region prefix, institution, class, ' +
          "status and worker. Institution staff see their own institution's claims; region-bound roles their " +
          'region (a `region` outside it gives an empty page). With `lacks=true`, each claim not yet paid or ' +
          'rejected carries the violations the payment gate would return now (an empty list: it would be paid), ' +
          "and each such worker's access log records the read (`claim`); so does a list filtered by `worker`. " +
          '`limit` is at most 200 (default 50); pass `nextCursor` as `cursor` for the next page. A cursor that ' +
          'was changed, or that another list gave, is refused with 400. Amounts are in fen.',
        querystring: listQuery,
        response: { 200: claimPage },
      },
    },
    async (request) => {
      const p = principal(request)
      const q = request.query
      assertRegionNamed(p)
      if (p.role === 'institution_staff') {
        if (!p.institution) throw forbidden('the token names no institution')
        if (q.institution) assertInstitution(p, q.institution)
      }
      const institution = p.role === 'institution_staff' ? p.institution : q.institution
      const after = claims.after(q.cursor)
      // Only the filters given, each a plain condition the planner can use: a region of 6 digits
      // and a status, institution or class walk their own (…, position) index; the cursor is a
      // range on position, so the page 50 deep starts where the last one ended rather than
      // filtering the newest claims again.
      const where: string[] = []
      const params: unknown[] = []
      const add = (sql: string, value: unknown) => {
        params.push(value)
        where.push(sql.replaceAll('?', `$${params.length}`))
      }
      for (const prefix of [p.region, q.region])
        if (prefix !== undefined) add(prefix.length === 6 ? 'region = ?' : "region like ? || '%'", prefix)
      if (institution !== undefined) add('institution = ?', institution)
      if (q.class !== undefined) add('class = ?', q.class)
      if (q.status !== undefined) add('status = ?', q.status)
      if (q.worker !== undefined) add('worker = ?', q.worker)
      if (after !== undefined) add('position < ?::int8', after[0])
      params.push(q.limit + 1)
      const rows = await list.db.query<ClaimListRow>(
        `select * from ${list.runner.table('claims')} ${where.length > 0 ? `where ${where.join(' and ')}` : ''}
          order by position desc limit $${params.length}`,
        params,
      )
      const page = claims.page(rows, q.limit, view)
      const reader = readerOf(p, String(request.id))
      const at = options.clock()
      const reads = new Map<string, string>()
      if (q.worker) reads.set(q.worker, rows[0]?.region ?? p.region ?? '')
      let items: (ReturnType<typeof view> & { lacks?: RuleViolation[] | null })[] = page.items
      if (q.lacks === 'true') {
        const setsOf = ruleSetCache(options)
        items = await Promise.all(
          page.items.map(async (item) => {
            if (item.status !== 'submitted' && item.status !== 'approved') return { ...item, lacks: null }
            reads.set(item.worker, item.region)
            return { ...item, lacks: await lacksForPayment(options, item.worker, item.claim, setsOf) }
          }),
        )
      }
      // Recorded before the answer is sent (fail closed); concurrent reads share one append.
      await Promise.all(
        [...reads].map(([worker, region]) =>
          options.accessLog.recordRead(
            reader,
            { worker, view: 'claim', found: rows.length > 0 },
            { at, source, region },
          ),
        ),
      )
      return { ...page, items }
    },
  )
}
