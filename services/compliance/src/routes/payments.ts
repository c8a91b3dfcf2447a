import { TrecError } from '@trec/core'
import { inRegionScope, type Platform, principal, readerOf } from '@trec/fastify-kit'
import { type PaymentRecord, quarterPattern } from '@trec/readmodels'
import { z } from 'zod'
import type { ResolvedOptions } from '../options.ts'
import { regionQuery, regionScope } from './scope.ts'

const readers = ['auditor', 'investigator', 'subsidy_officer', 'finance'] as const

/**
 * GET /v1/compliance/payments: every payment (SubsidyPaid) shown backed or not, with the reasons
 * and the cited evidence (凡补必进、不进不补, D1 D3); filter by region, quarter and backing.
 * GET /v1/compliance/payments/:payment: one payment.
 */
export function paymentRoutes(app: Platform, options: ResolvedOptions): void {
  const table = (name: string) => options.runner.table(name)
  app.get(
    '/v1/compliance/payments',
    {
      config: { auth: { roles: readers } },
      schema: {
        tags: ['compliance'],
        summary: 'Payments and whether the record backs them',
        querystring: z.strictObject({
          region: regionQuery.optional(),
          quarter: z.string().regex(quarterPattern, 'YYYYQn').optional(),
          backed: z.enum(['true', 'false']).optional(),
          /** Page after this payment id. */
          after: z.uuid().optional(),
          limit: z.coerce.number().int().min(1).max(1000).default(100),
        }),
      },
    },
    async (request) => {
      const q = request.query
      const region = regionScope(principal(request), q.region)
      const params = [region ?? null, q.quarter ?? null, q.backed === undefined ? null : q.backed === 'true']
      const where = `($1::text is null or region like $1 || '%') and ($2::text is null or quarter = $2)
        and ($3::boolean is null or backed = $3)`
      const rows = await options.db.query<{ record: PaymentRecord; payment: string }>(
        `select payment::text as payment, record from ${table('payments')}
          where ${where} and ($4::uuid is null or payment > $4) order by payment limit $5`,
        [...params, q.after ?? null, q.limit],
      )
      const [counts] = await options.db.query<{ backed: string; not_backed: string }>(
        `select count(*) filter (where backed)::text as backed, count(*) filter (where not backed)::text as not_backed
           from ${table('payments')} where ${where}`,
        params,
      )
      return {
        summary: { backed: Number(counts?.backed ?? 0), notBacked: Number(counts?.not_backed ?? 0) },
        payments: rows.map((r) => r.record),
        next: rows.length === q.limit ? rows.at(-1)!.payment : null,
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
        params: z.strictObject({ payment: z.uuid() }),
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
      return row.record
    },
  )
}
