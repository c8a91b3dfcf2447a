import { pseudonymSchema } from '@trec/contracts'
import { TrecError } from '@trec/core'
import {
  inRegionScope,
  type Platform,
  pageFields,
  pager,
  principal,
  readerOf,
  sqlWhere,
} from '@trec/fastify-kit'
import { type PaymentRecord, quarterPattern } from '@trec/readmodels'
import { z } from 'zod'
import type { ResolvedOptions } from '../options.ts'
import { paymentPageSchema, paymentSchema } from './answers.ts'
import { regionQuery, regionScope } from './scope.ts'

const readers = ['auditor', 'investigator', 'subsidy_officer', 'finance'] as const

/**
 * GET /v1/compliance/payments: every payment (SubsidyPaid) shown backed or not, with the reasons
 * and the cited evidence (凡补必进、不进不补, D1 D3); filter by region, quarter and backing.
 * GET /v1/compliance/payments/:payment: one payment.
 */
export function paymentRoutes(app: Platform, options: ResolvedOptions): void {
  const table = (name: string) => options.runner.table(name)
  const payments = pager<{ record: PaymentRecord; payment: string }>('payments', options.cursorKey, (r) => [
    r.payment,
  ])
  app.get(
    '/v1/compliance/payments',
    {
      config: { auth: { roles: readers } },
      schema: {
        tags: ['compliance'],
        summary: 'Payments and whether the record backs them',
        operationId: 'listPayments',
        description:
          "Every payment (SubsidyPaid) inside the token's region, with its backing (凡补必进) and the evidence " +
          'it cites, filtered by region prefix, quarter, backing and worker; `summary` counts the backed and ' +
          'unbacked payments of the whole filter. Ordered by payment id; `limit` is at most 200 (default 50), ' +
          'and `nextCursor` passed as `cursor` gives the next page (a changed cursor, or one of another list, ' +
          "is 400). Filtering by `worker` reads one person's payments and is recorded in their access log " +
          '(`payment`).',
        querystring: z.strictObject({
          region: regionQuery.optional(),
          quarter: z.string().regex(quarterPattern, 'YYYYQn').optional(),
          backed: z.enum(['true', 'false']).optional(),
          worker: pseudonymSchema.optional(),
          ...pageFields,
        }),
        response: { 200: paymentPageSchema },
      },
    },
    async (request) => {
      const q = request.query
      const p = principal(request)
      const region = regionScope(p, q.region)
      // Only the filters given go into the statements (sqlWhere), so the page walks the unique
      // index of its order from the cursor on.
      const where = sqlWhere()
        .regionUnder('region', region)
        .equals('quarter', q.quarter)
        .equals('worker', q.worker)
      if (q.backed !== undefined) where.raw('backed = ?', q.backed === 'true')
      where.after('payment > ?::uuid', payments.after(q.cursor))
      // Ordered by the uuid column itself (its unique index gives the order and the cursor's
      // range); `order by payment` would name the text output column and sort the whole filter.
      const t = table('payments')
      const rows = await options.db.query<{ record: PaymentRecord; payment: string }>(
        `select ${t}.payment::text as payment, record from ${t} ${where.sql()} order by ${t}.payment limit ${q.limit + 1}`,
        where.params,
      )
      // One worker's payments are counted from their rows (the index by worker); any other filter
      // sums the counts per region, quarter and backing the projection keeps (the same columns).
      const counted = where.filter()
      const [counts] = await options.db.query<{ backed: string | null; not_backed: string | null }>(
        q.worker === undefined
          ? `select (sum(n) filter (where backed))::text as backed, (sum(n) filter (where not backed))::text as not_backed
               from ${table('payment_counts')} ${counted.sql}`
          : `select count(*) filter (where backed)::text as backed, count(*) filter (where not backed)::text as not_backed
               from ${t} ${counted.sql}`,
        counted.params,
      )
      if (q.worker)
        await options.accessLog.recordRead(
          readerOf(p, String(request.id)),
          { worker: q.worker, view: 'payment', found: rows.length > 0 },
          { at: options.clock(), source: 'trec.compliance', region: region ?? '' },
        )
      return {
        summary: { backed: Number(counts?.backed ?? 0), notBacked: Number(counts?.not_backed ?? 0) },
        ...payments.page(rows, q.limit, (r) => ({ ...r.record })),
      }
    },
  )
  app.get(
    '/v1/compliance/payments/:payment',
    {
      config: { auth: { roles: readers } },
      schema: {
        tags: ['compliance'],
        summary: 'One payment, its backing and its cited evidence',
        operationId: 'getPayment',
        description:
          'Auditors, investigators, subsidy officers and finance read one payment (SubsidyPaid) of their region: its amounts in fen, whether the record backs it and why not, and the evidence it cites. A payment outside the caller’s region is answered 404, as if absent. Every read is recorded in the worker’s access log.',
        params: z.strictObject({ payment: z.uuid() }),
        response: { 200: paymentSchema },
      },
    },
    async (request) => {
      const [row] = await options.db.query<{ record: PaymentRecord }>(
        `select record from ${table('payments')} where payment = $1`,
        [request.params.payment],
      )
      const notFound = new TrecError('TREC_NOT_FOUND', 'no such payment in the record', {
        details: { payment: request.params.payment },
      })
      if (!row) throw notFound
      const p = principal(request)
      // Callers see only their region's payments; outside it, as if absent.
      if (!inRegionScope(p, row.record.region ?? '')) throw notFound
      await options.accessLog.recordRead(
        readerOf(p, String(request.id)),
        { worker: row.record.worker, view: 'payment' },
        { at: options.clock(), source: 'trec.compliance', region: row.record.region ?? '' },
      )
      return { ...row.record }
    },
  )
}
