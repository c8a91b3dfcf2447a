import { type Platform, principal } from '@trec/fastify-kit'
import {
  aggregateKpis,
  type CompletionRecord,
  type KpiDimension,
  kpiDimensions,
  type PaymentRecord,
  planProgress,
  quarterPattern,
} from '@trec/readmodels'
import { z } from 'zod'
import type { ResolvedOptions } from '../options.ts'
import { kpiReportSchema, planProgressSchema } from './answers.ts'
import { publishedTargets } from './plan-targets.ts'
import { regionQuery, regionScope } from './scope.ts'

const readers = ['auditor', 'investigator', 'subsidy_officer', 'finance'] as const

const byList = z
  .string()
  .default('')
  .transform((s, ctx) => {
    const list = s === '' ? [] : s.split(',')
    for (const d of list)
      if (!(kpiDimensions as readonly string[]).includes(d)) {
        ctx.addIssue({ code: 'custom', message: `group by ${kpiDimensions.join(', ')}` })
        return z.NEVER
      }
    return [...new Set(list)] as KpiDimension[]
  })

/**
 * GET /v1/compliance/kpis: 培训合格率, 取证率 by certificate kind and 就业创业成功率 (D2, D3) per
 * institution, class, region and quarter (D0 「每季度…开展绩效评估」).
 * GET /v1/compliance/plan-progress: subsidised 人次 (one per completed subsidised training) by group
 * and kind against the plan target, for a quarter or a year.
 */
export function kpiRoutes(app: Platform, options: ResolvedOptions): void {
  const table = (name: string) => options.runner.table(name)
  app.get(
    '/v1/compliance/kpis',
    {
      config: { auth: { roles: readers } },
      schema: {
        tags: ['compliance'],
        summary: 'Performance KPIs over completions',
        operationId: 'getComplianceKpis',
        description:
          'Auditors, investigators, subsidy officers and finance read 培训合格率, 取证率 by certificate kind and 就业创业成功率 over the completions inside their region, grouped by any of institution, class, region and quarter (`by`, comma-separated; none gives one row), and filtered by region prefix, quarter, institution and class. Each rate comes with its counts.',
        querystring: z.strictObject({
          by: byList,
          region: regionQuery.optional(),
          quarter: z.string().regex(quarterPattern, 'YYYYQn').optional(),
          institution: z.string().min(1).max(64).optional(),
          class: z.string().min(1).max(64).optional(),
        }),
        response: { 200: kpiReportSchema },
      },
    },
    async (request) => {
      const q = request.query
      const region = regionScope(principal(request), q.region)
      const rows = await options.db.query<{ record: CompletionRecord }>(
        `select record from ${table('completions')}
          where ($1::text is null or region like $1 || '%') and ($2::text is null or quarter = $2)
            and ($3::text is null or record->>'institution' = $3) and ($4::text is null or class = $4)`,
        [region ?? null, q.quarter ?? null, q.institution ?? null, q.class ?? null],
      )
      return {
        by: q.by,
        filter: {
          region: region ?? null,
          quarter: q.quarter ?? null,
          institution: q.institution ?? null,
          class: q.class ?? null,
        },
        rows: aggregateKpis(
          rows.map((r) => r.record),
          q.by,
        ),
      }
    },
  )
  app.get(
    '/v1/compliance/plan-progress',
    {
      config: { auth: { roles: readers } },
      schema: {
        tags: ['compliance'],
        summary: 'Subsidised person-times against the plan target (台账)',
        operationId: 'getPlanProgress',
        description:
          'Person-times, one per completed subsidised training (a worker in a class, however many claims paid it), in a quarter (YYYYQn, against the configured quarterly target) or a year (YYYY, against the target an officer published), by group and kind.',
        querystring: z
          .strictObject({
            region: regionQuery,
            quarter: z.string().regex(quarterPattern, 'YYYYQn').optional(),
            year: z
              .string()
              .regex(/^\d{4}$/, 'YYYY')
              .optional(),
          })
          .refine((q) => (q.quarter === undefined) !== (q.year === undefined), {
            message: 'name a quarter (YYYYQn) or a year (YYYY), one of them',
            path: ['quarter'],
          }),
        response: { 200: planProgressSchema },
      },
    },
    async (request) => {
      const period = (request.query.quarter ?? request.query.year)!
      const region = regionScope(principal(request), request.query.region)!
      const rows = await options.db.query<{ record: PaymentRecord }>(
        `select record from ${table('payments')} where quarter like $1 || '%' and region like $2 || '%'`,
        [period, region],
      )
      const targets = [...options.planTargets, ...(await publishedTargets(options, region))]
      return planProgress(
        rows.map((r) => r.record),
        targets,
        region,
        period,
      )
    },
  )
}
