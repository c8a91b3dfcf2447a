import { dateSchema } from '@trec/contracts'
import { TrecError } from '@trec/core'
import { type Platform, principal, refuseIdempotencyKey } from '@trec/fastify-kit'
import {
  disbursementOfPayment,
  type PaymentRecord,
  parseDisbursementCsv,
  type RecordDisbursement,
  reconcile,
} from '@trec/readmodels'
import type { FastifyRequest } from 'fastify'
import { z } from 'zod'
import type { ResolvedOptions } from '../options.ts'
import { reconciliationSchema } from './answers.ts'
import { regionQuery, regionScope } from './scope.ts'

interface AdvanceRow {
  id: string
  class: string
  provider: string
  payment_ref: string
  amount: string
  paid_on: string
}

const advanceOf = (a: AdvanceRow): RecordDisbursement => ({
  kind: 'advance',
  event: a.id,
  paymentRef: a.payment_ref,
  claim: null,
  worker: null,
  class: a.class,
  payee: { kind: 'provider', id: a.provider },
  transfer: Number(a.amount),
  paidOn: a.paid_on,
})

/** The body as the document states it; the file is checked line by line in the handler. */
const disbursementFile = z
  .string()
  .describe(
    'The finance department’s disbursement file: CSV with a header naming payment_ref, claim, payee_kind, payee_id and amount_fen (in fen), one transfer a line.',
  )

const csvTypes = new Set(['text/csv', 'application/csv'])

/** Answers 415 before the body is read unless it is declared a CSV. */
async function requireCsv(request: FastifyRequest): Promise<void> {
  const type = String(request.headers['content-type'] ?? '')
    .split(';')[0]!
    .trim()
    .toLowerCase()
  if (!csvTypes.has(type))
    throw new TrecError('TREC_UNSUPPORTED_MEDIA_TYPE', 'send the disbursement file as text/csv', {
      details: { contentType: type || null },
    })
}

/**
 * POST /v1/compliance/reconciliation (finance, auditor), body `text/csv`: the finance
 * department's disbursement file (format in @trec/readmodels `disbursement-csv.ts` and the
 * README) against the record. With `from` and `to` (days paid, inclusive) the answer also lists
 * the record's payments in that period (and region) that no row pays.
 */
export function reconciliationRoute(app: Platform, options: ResolvedOptions): void {
  const table = (name: string) => options.runner.table(name)
  app.addContentTypeParser(['text/csv', 'application/csv'], { parseAs: 'string' }, (_request, body, done) =>
    done(null, body),
  )
  app.post(
    '/v1/compliance/reconciliation',
    {
      config: { auth: { roles: ['finance', 'auditor'] } },
      // The content type is checked before the body is read: only a CSV may be 64 MiB.
      onRequest: [refuseIdempotencyKey, requireCsv],
      bodyLimit: 64 * 1024 * 1024,
      schema: {
        tags: ['compliance'],
        summary: 'Reconcile a finance disbursement file (CSV) against the record',
        operationId: 'reconcileDisbursements',
        description:
          'Finance or auditors send the finance department’s disbursement file (text/csv, at most 64 MiB) and get it compared with the record inside their region: rows no payment records, transfers paid twice, claims paid twice, amounts, payees and references that differ. With `from` and `to` (days paid, inclusive) the answer also lists the record’s payments in that period that no row pays. A file with problems is refused with 400 naming each line and column; nothing is written.',
        consumes: ['text/csv'],
        body: disbursementFile,
        querystring: z
          .strictObject({
            from: dateSchema.optional(),
            to: dateSchema.optional(),
            region: regionQuery.optional(),
          })
          .refine((q) => (q.from === undefined) === (q.to === undefined), {
            message: 'give both from and to, or neither',
            path: ['to'],
          })
          .refine((q) => q.from === undefined || q.to === undefined || q.from <= q.to, {
            message: 'to is before from',
            path: ['to'],
          }),
        response: { 200: reconciliationSchema },
      },
    },
    async (request) => {
      if (typeof request.body !== 'string')
        throw new TrecError('TREC_UNSUPPORTED_MEDIA_TYPE', 'send the disbursement file as text/csv')
      const region = regionScope(principal(request), request.query.region)
      const parsed = parseDisbursementCsv(request.body)
      if (parsed.issues.length > 0)
        throw new TrecError('TREC_VALIDATION', 'the disbursement file has problems; nothing was reconciled', {
          issues: parsed.issues,
          details: { problems: parsed.issues.length },
        })
      const refs = [...new Set(parsed.rows.map((r) => r.paymentRef))]
      const claims = [...new Set(parsed.rows.flatMap((r) => (r.claim === null ? [] : [r.claim])))]
      const inRegion = `($3::text is null or region like $3 || '%')`
      // The payments the file names, and every payment of their claims (a claim paid twice).
      const payments = await options.db.query<{ record: PaymentRecord }>(
        `with named as (
           select claim from ${table('payments')} where (payment_ref = any($1::text[]) or claim = any($2::text[])) and ${inRegion}
         )
         select record from ${table('payments')} where claim in (select claim from named) and ${inRegion}`,
        [refs, claims, region ?? null],
      )
      const advances = await options.db.query<AdvanceRow>(
        `select id::text as id, class, provider, payment_ref, amount::text as amount, paid_on from ${table('advances')}
          where payment_ref = any($1::text[]) and ($2::text is null or region like $2 || '%')`,
        [refs, region ?? null],
      )
      const record = [...payments.map((p) => disbursementOfPayment(p.record)), ...advances.map(advanceOf)]
      const { from, to } = request.query
      let inScope: RecordDisbursement[] | undefined
      if (from !== undefined && to !== undefined) {
        const scoped = await options.db.query<{ record: PaymentRecord }>(
          `select record from ${table('payments')} where paid_on between $1 and $2 and ($3::text is null or region like $3 || '%')`,
          [from, to, region ?? null],
        )
        const scopedAdvances = await options.db.query<AdvanceRow>(
          `select id::text as id, class, provider, payment_ref, amount::text as amount, paid_on from ${table('advances')}
            where paid_on between $1 and $2 and ($3::text is null or region like $3 || '%')`,
          [from, to, region ?? null],
        )
        inScope = [...scoped.map((p) => disbursementOfPayment(p.record)), ...scopedAdvances.map(advanceOf)]
      }
      return {
        scope: { from: from ?? null, to: to ?? null, region: region ?? null },
        ignoredColumns: parsed.ignoredColumns,
        ...reconcile(parsed.rows, record, inScope ? { inScope } : {}),
      }
    },
  )
}
