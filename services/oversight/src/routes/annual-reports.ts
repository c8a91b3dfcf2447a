import { handleCommand } from '@trec/command'
import {
  annualInspectionResults,
  commandAnswerSchema,
  dateSchema,
  entityIdSchema,
  eventIdSchema,
  noteSchema,
} from '@trec/contracts'
import { chinaDay } from '@trec/core'
import {
  assertInstitution,
  assertRegionNamed,
  nextCursorField,
  type Platform,
  pageFields,
  pager,
  principal,
  singleEventId,
  sqlWhere,
} from '@trec/fastify-kit'
import type { FastifyRequest } from 'fastify'
import { z } from 'zod'
import type { ResolvedOptions } from '../options.ts'
import type { ProviderRow } from '../read/supervision-projection.ts'
import {
  type AnnualCommand,
  annualReportDecider,
  type ProviderFacts,
} from '../supervision/annual-report-decider.ts'
import { actorOf, assertScope, source } from './common.ts'
import { institutionRegion } from './grades.ts'
import { regionPrefixQuery } from './list-sql.ts'

// 年度报告和年度检查: a private provider (民办) files its report for a year; an officer records the
// year's inspection; providers with no report by the due day (options.annualReportDue, national
// practice) wait in the officers' queue.

const year = z.int().min(2000).max(2100)
const count = z.int().min(0).max(10_000_000)

const reportBody = z
  .strictObject({
    year,
    classes: count,
    trainees: count,
    completions: count,
    subsidyReceived: z.int().min(0).describe('In fen.'),
    complaints: count,
    changes: z.strictObject({ venue: noteSchema.optional(), teachers: noteSchema.optional() }).default({}),
    note: noteSchema.optional(),
  })
  .refine((b) => b.completions <= b.trainees, { message: '结业人数多于培训人数', path: ['completions'] })
  .meta({
    id: 'FileAnnualReportRequest',
    description:
      'A private provider’s 年度报告 for a year: classes run, trainees, completions, subsidy received (fen), complaints, and changes of venue or teachers.',
    example: {
      year: 2025,
      classes: 14,
      trainees: 612,
      completions: 590,
      subsidyReceived: 98_400_000,
      complaints: 2,
      changes: { teachers: '新增电工专业教师2名，离职1名' },
    },
  })

const inspectionBody = z
  .strictObject({
    year,
    result: z.enum(annualInspectionResults),
    findings: noteSchema,
    evidence: z.array(eventIdSchema).max(10_000).default([]),
    inspectedOn: dateSchema,
  })
  .meta({
    id: 'RecordAnnualInspectionRequest',
    description:
      'The 年度检查 of a private provider for a year: 合格, 基本合格 or 不合格, with findings and evidence.',
    example: {
      year: 2025,
      result: 'unqualified',
      findings: '年度报告培训人数与实名制记录不符，教学场地已变更未报备',
      evidence: [],
      inspectedOn: '2026-07-15',
    },
  })

const params = z.strictObject({ institution: entityIdSchema })

const missingExample = {
  institution: 'inst-130102-0001',
  region: '130102',
  year: 2025,
  dueBy: '2026-06-30',
}
const missingPage = z
  .object({
    items: z.array(
      z
        .object({
          institution: z.string(),
          region: z.string(),
          year: z.int(),
          dueBy: z.string().describe('The last day the report was due by.'),
        })
        .meta({ id: 'MissingAnnualReport', description: 'A private provider whose 年度报告 is overdue.' }),
    ),
    nextCursor: nextCursorField,
  })
  .meta({
    id: 'MissingAnnualReportPage',
    description: 'Private providers with no 年度报告 for the year by its due day.',
    example: { items: [missingExample] },
  })

async function providerFacts(options: ResolvedOptions, institution: string): Promise<ProviderFacts> {
  const [row] = await options.db.query<ProviderRow>(
    `select * from ${options.readSide.supervision.table('providers')} where id = $1`,
    [institution],
  )
  return { privateProvider: row !== undefined, designatedFrom: row?.designated_from ?? '0000-01-01' }
}

export function annualReportRoutes(app: Platform, options: ResolvedOptions): void {
  const today = () => chinaDay(options.clock())
  const run = async (
    request: FastifyRequest,
    institution: string,
    command: (region: string, provider: ProviderFacts) => AnnualCommand,
  ) => {
    const region = await institutionRegion(options, institution)
    const p = principal(request)
    assertInstitution(p, institution)
    if (p.role !== 'institution_staff') assertScope(p, region)
    const cmd = command(region, await providerFacts(options, institution))
    const stream = `oversight-annual-${institution}-${cmd.data.year}`
    const result = await handleCommand(options.store, annualReportDecider, {
      stream,
      command: cmd,
      meta: { occurredAt: options.clock().toISOString(), actor: actorOf(p), source, region },
      nextId: singleEventId(request),
    })
    return { ids: result.ids, revision: result.append.revision }
  }

  app.post(
    '/v1/oversight/institutions/:institution/annual-reports',
    {
      config: { auth: { roles: ['institution_staff'] } },
      schema: {
        tags: ['oversight'],
        summary: 'File a private provider’s annual report (年度报告)',
        operationId: 'fileAnnualReport',
        description:
          'Staff of a private provider (民办职业培训机构) file its 年度报告 for a year that has ended: classes, ' +
          'trainees, completions, subsidy received (fen), complaints, and changes of venue or teachers. Once per ' +
          'year (422 `annual-report-once`); refused (422 `private-provider`) for an institution that is not a private ' +
          'provider, and for a year not ended. 404 for an institution not on the registry. A retry with the same ' +
          'Idempotency-Key records nothing new.',
        params,
        body: reportBody,
        response: { 201: commandAnswerSchema },
      },
    },
    async (request, reply) => {
      const institution = request.params.institution
      const b = request.body
      const answer = await run(request, institution, (region, provider) => ({
        kind: 'file',
        data: { ...b, report: `annual-${institution}-${b.year}`, institution, region },
        provider,
        today: today(),
      }))
      return reply.code(201).send(answer)
    },
  )

  app.post(
    '/v1/oversight/institutions/:institution/annual-inspections',
    {
      config: { auth: { roles: ['investigator', 'subsidy_officer'] } },
      schema: {
        tags: ['oversight'],
        summary: 'Record the annual inspection of a private provider (年度检查)',
        operationId: 'recordAnnualInspection',
        description:
          'An investigator or a subsidy officer of the provider’s region records its 年度检查 for a year: 合格, ' +
          '基本合格 or 不合格, with findings and evidence; with or without a report filed (a provider that never filed ' +
          'may be found 不合格). 不合格 counts against its 诚信等级 and may be cited by a sanction decided in a case ' +
          '(`grounds`). Once per year (422 `annual-inspection-once`); 422 `private-provider` for an institution that ' +
          'is not a private provider. 404 for an institution not on the registry.',
        params,
        body: inspectionBody,
        response: { 201: commandAnswerSchema },
      },
    },
    async (request, reply) => {
      const institution = request.params.institution
      const b = request.body
      const answer = await run(request, institution, (_region, provider) => ({
        kind: 'inspect',
        data: {
          ...b,
          evidence: [...new Set(b.evidence)],
          report: `annual-${institution}-${b.year}`,
          institution,
        },
        provider,
        today: today(),
      }))
      return reply.code(201).send(answer)
    },
  )

  type Missing = ProviderRow
  const missing = pager<Missing>('missing-annual-reports', options.cursorKey, (r) => [r.id])
  app.get(
    '/v1/oversight/annual-reports/missing',
    {
      config: { auth: { roles: ['investigator', 'subsidy_officer', 'auditor'] } },
      schema: {
        tags: ['oversight'],
        summary: 'Private providers whose annual report is overdue (an officer’s queue)',
        operationId: 'listMissingAnnualReports',
        description:
          "An investigator, a subsidy officer or an auditor reads the private providers inside the token's region " +
          'designated by the end of `year` and not delisted before it began that have filed no 年度报告 for it, once its due day ' +
          '(a deployment option, national practice: 30 June of the next year unless the region sets another) has ' +
          'passed; before then the list is empty. `limit` is at most 200 (default 50); pass `nextCursor` as ' +
          '`cursor` for the next page.',
        querystring: z.strictObject({
          year: z.coerce.number().pipe(year),
          region: regionPrefixQuery.optional(),
          ...pageFields,
        }),
        response: { 200: missingPage },
      },
    },
    async (request) => {
      const p = principal(request)
      const q = request.query
      assertRegionNamed(p)
      const after = missing.after(q.cursor)
      const dueBy = `${q.year + 1}-${options.annualReportDue}`
      if (today() <= dueBy) return { items: [] }
      const t = options.readSide.supervision
      const where = sqlWhere()
        .regionUnder('p.region', p.region)
        .regionUnder('p.region', q.region)
        .after('p.id > ?', after)
      const n = where.params.length
      const rows = await options.db.query<Missing>(
        `select p.* from ${t.table('providers')} p ${where.sql() || 'where true'}
           and p.designated_from <= $${n + 1} and (p.delisted_from is null or p.delisted_from > $${n + 3})
           and not exists (select 1 from ${t.table('annual')} a where a.institution = p.id and a.year = $${n + 2} and a.filed_event is not null)
         order by p.id limit ${q.limit + 1}`,
        [...where.params, `${q.year}-12-31`, q.year, `${q.year}-01-01`],
      )
      return missing.page(rows, q.limit, (r) => ({
        institution: r.id,
        region: r.region,
        year: q.year,
        dueBy,
      }))
    },
  )
}
