import {
  assertRegionNamed,
  nextCursorField,
  type Platform,
  pageFields,
  pager,
  principal,
  sqlWhere,
  totalOf,
} from '@trec/fastify-kit'
import { z } from 'zod'
import type { ResolvedOptions } from '../options.ts'
import { regionPrefixQuery } from './list-sql.ts'

// The 双随机 sampling runs as a list, newest first, from the case-work projection: what was drawn
// from which population and when. Targets are institutions or classes, never people, so reading
// the list is not an access event. Each run in full (and its re-derivation) is
// GET /v1/oversight/sampling-runs/{run}.

interface SamplingRunRow {
  run: string
  kind: string
  region: string
  from_date: string
  to_date: string
  size: number
  population_size: number
  population_digest: string
  selected: string[]
  drawn_at: string
  drawn_by: string
  event: string
}

const runSummary = z
  .object({
    run: z.string(),
    population: z.object({
      kind: z.enum(['institutions', 'classes']),
      region: z.string(),
      from: z.string(),
      to: z.string(),
      size: z.int(),
      digest: z.string(),
    }),
    size: z.int(),
    selected: z.array(z.string()).describe('The drawn targets, in draw order.'),
    drawnAt: z.string(),
    drawnBy: z.string(),
    event: z.string().describe('The InspectionSampleSelected event.'),
  })
  .meta({ id: 'SamplingRunSummary', description: 'A sampling run as the list shows it.' })

const runPage = z
  .object({
    items: z.array(runSummary),
    nextCursor: nextCursorField,
    total: z.int().describe('How many runs match the filter, across every page.'),
  })
  .meta({
    id: 'SamplingRunPage',
    description: 'A page of sampling runs, newest first.',
    example: {
      items: [
        {
          run: 'sampling-0191b7a4-c2f0-7e3a-9d51-f0a2b3c4d5e6',
          population: {
            kind: 'institutions',
            region: '130102',
            from: '2026-01-01',
            to: '2026-03-31',
            size: 37,
            digest: '2c26b46b68ffc68ff99b453c1d30413413422d706483bfa0f98a5e886266e7ae',
          },
          size: 2,
          selected: ['inst-130102-0001', 'inst-130102-0007'],
          drawnAt: '2026-04-01T02:00:00.000Z',
          drawnBy: 'inv-7',
          event: '0191b7a4-c2f0-7e3a-9d51-f0a2b3c4d5e7',
        },
      ],
      nextCursor: 'eyJsaXN0Ijoic2FtcGxpbmctcnVucyIsImFmdGVyIjpbIjIwMjYiXX0.q3Jx…',
      total: 1,
    },
  })

export function samplingRunListRoute(app: Platform, options: ResolvedOptions): void {
  const runs = pager<SamplingRunRow>('sampling-runs', options.cursorKey, (r) => [r.drawn_at, r.run])
  const table = () => options.readSide.casework.table('sampling_runs')
  app.get(
    '/v1/oversight/sampling-runs',
    {
      config: { auth: { roles: ['investigator', 'subsidy_officer', 'auditor'] } },
      schema: {
        tags: ['oversight'],
        summary: 'Sampling runs (双随机), newest first',
        operationId: 'listSamplingRuns',
        description:
          "An investigator, a subsidy officer or an auditor reads the sampling runs drawn inside the token's region, " +
          'newest first, filtered by population kind and region prefix: the population, how many were drawn and ' +
          'which. `limit` is at most 200 (default 50); pass `nextCursor` as `cursor` for the next page (a cursor ' +
          'that was changed, or that another list gave, is refused with 400). `total` counts the whole filter.',
        querystring: z.strictObject({
          kind: z.enum(['institutions', 'classes']).optional(),
          region: regionPrefixQuery.optional(),
          ...pageFields,
        }),
        response: { 200: runPage },
      },
    },
    async (request) => {
      const p = principal(request)
      const q = request.query
      assertRegionNamed(p)
      const where = sqlWhere()
        .regionUnder('region', p.region)
        .regionUnder('region', q.region)
        .equals('kind', q.kind)
        .after('(drawn_at, run) < (?, ?)', runs.after(q.cursor))
      const rows = await options.db.query<SamplingRunRow>(
        `select * from ${table()} ${where.sql()} order by drawn_at desc, run desc limit ${q.limit + 1}`,
        where.params,
      )
      return {
        ...runs.page(rows, q.limit, (r) => ({
          run: r.run,
          population: {
            kind: r.kind as 'institutions' | 'classes',
            region: r.region,
            from: r.from_date,
            to: r.to_date,
            size: Number(r.population_size),
            digest: r.population_digest,
          },
          size: Number(r.size),
          selected: r.selected,
          drawnAt: r.drawn_at,
          drawnBy: r.drawn_by,
          event: r.event,
        })),
        total: await totalOf(options.db, table(), where),
      }
    },
  )
}
