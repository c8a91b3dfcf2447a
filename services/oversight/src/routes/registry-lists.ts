import { entityIdSchema, pseudonymSchema } from '@trec/contracts'
import {
  assertInstitution,
  assertRegionNamed,
  nextCursorField,
  type Platform,
  type Principal,
  pageFields,
  pager,
  principal,
  readerOf,
  sqlWhere,
  totalOf,
} from '@trec/fastify-kit'
import { z } from 'zod'
import type { ResolvedOptions } from '../options.ts'
import type { ClassRow, InstitutionRow } from '../read/registry-projection.ts'
import { forbiddenInstitution, regionPrefixQuery } from './list-sql.ts'

// The training registry as lists, from the registry projection the investigator's views stand on:
// designated institutions, classes, and the enrolments of each class (its roster, workers by
// pseudonym). Each is paged by an opaque cursor in a stable order (ids, which never change) and
// bounded by the token: institution staff see their own institution, region-bound roles their
// region. Reading enrolments names workers, so each worker on a page is an access event
// (`enrolment`), recorded before the answer.

const nextCursor = nextCursorField
const total = z.int().describe('How many match the filter, across every page.')
const cursorExample = 'eyJsaXN0IjoiY2xhc3NlcyIsImFmdGVyIjpbImNscy0wMSJdfQ.q3Jx…'

const listRoles = [
  'institution_staff',
  'subsidy_officer',
  'finance',
  'reviewer',
  'assessor',
  'investigator',
  'auditor',
] as const

/** Where a class stands as the registry knows it (the class itself also knows its review). */
const classStatuses = ['applied', 'opened', 'closed'] as const

const classItem = z
  .object({
    class: z.string(),
    institution: z.string().nullable(),
    programme: z.string().nullable(),
    region: z.string(),
    mode: z.string().nullable(),
    plannedStart: z.string().nullable(),
    plannedEnd: z.string().nullable(),
    status: z.enum(classStatuses),
    closedReason: z.string().nullable(),
    sessions: z.int(),
    enrolled: z.int(),
  })
  .meta({ id: 'ClassSummary', description: 'A class as the list shows it.' })

const classExample = {
  class: 'cls-0191b7a4-c2f0-7e3a-9d51-f0a2b3c4d5e6',
  institution: 'inst-130100-0001',
  programme: 'prog-130100-4-10-01-02',
  region: '130102',
  mode: 'offline',
  plannedStart: '2026-03-02',
  plannedEnd: '2026-03-20',
  status: 'opened' as const,
  closedReason: null,
  sessions: 12,
  enrolled: 30,
}

const classPage = z.object({ items: z.array(classItem), nextCursor, total }).meta({
  id: 'ClassPage',
  description: 'A page of classes, by class id.',
  example: { items: [classExample], nextCursor: cursorExample, total: 1 },
})

const enrolmentItem = z
  .object({
    class: z.string(),
    worker: z.string().describe('The worker’s pseudonym.'),
    institution: z.string().nullable(),
    region: z.string(),
    event: z.string().describe('The event that put the worker on the roster.'),
  })
  .meta({ id: 'Enrolment', description: 'A worker on a class roster, by pseudonym.' })

const enrolmentPage = z.object({ items: z.array(enrolmentItem), nextCursor, total }).meta({
  id: 'EnrolmentPage',
  description: 'A page of enrolments, by class then worker.',
  example: {
    items: [
      {
        class: classExample.class,
        worker: '5f2c0e1a9b7d4c3e8f6a2b1c0d9e8f7a',
        institution: 'inst-130100-0001',
        region: '130102',
        event: '0191b7a4-c2f0-7e3a-9d51-f0a2b3c4d5e7',
      },
    ],
    nextCursor: cursorExample,
    total: 1,
  },
})

const institutionItem = z
  .object({
    institution: z.string(),
    legalName: z.string(),
    region: z.string(),
    designatedFrom: z.string(),
    delistedFrom: z.string().nullable(),
  })
  .meta({ id: 'InstitutionSummary', description: 'An entry of the designated list.' })

const institutionPage = z.object({ items: z.array(institutionItem), nextCursor, total }).meta({
  id: 'InstitutionPage',
  description: 'A page of designated institutions, by id.',
  example: {
    items: [
      {
        institution: 'inst-130100-0001',
        legalName: '石家庄市职业技能培训学校',
        region: '130102',
        designatedFrom: '2026-01-01',
        delistedFrom: null,
      },
    ],
    nextCursor: cursorExample,
    total: 1,
  },
})

type ClassListRow = ClassRow & { enrolled: string | number }
interface EnrolmentRow {
  class: string
  worker: string
  institution: string | null
  region: string
  event: string
  [k: string]: unknown
}

/** The institution a caller's lists are bound to: staff their own; others what they ask for. */
function institutionOf(p: Principal, asked: string | undefined): string | undefined {
  assertRegionNamed(p)
  if (p.role !== 'institution_staff') return asked
  if (!p.institution) throw forbiddenInstitution()
  if (asked) assertInstitution(p, asked)
  return p.institution
}

const classStatusSql = `case when c.closed_reason is not null then 'closed'
  when c.opened_event is not null then 'opened' else 'applied' end`

const classStatusOf = (c: ClassRow): (typeof classStatuses)[number] =>
  c.closed_reason !== null ? 'closed' : c.opened_event !== null ? 'opened' : 'applied'

export function registryListRoutes(app: Platform, options: ResolvedOptions): void {
  const table = (name: string) => options.readSide.registry.table(name)

  const classes = pager<ClassListRow>('classes', options.cursorKey, (c) => [c.id])
  app.get(
    '/v1/classes',
    {
      config: { auth: { roles: listRoles } },
      schema: {
        tags: ['training'],
        summary: 'Classes, filtered and paged',
        operationId: 'listClasses',
        description:
          'Classes by id, filtered by institution, region prefix, programme and status (applied, opened, closed), ' +
          "with how many workers each has enrolled. Institution staff see their own institution's classes; " +
          "region-bound roles their region; others the token's region when it names one. `limit` is at most " +
          '200 (default 50); pass `nextCursor` as `cursor` for the next page (a cursor that was changed, or ' +
          'that another list gave, is refused with 400). `total` counts the whole filter.',
        querystring: z.strictObject({
          institution: entityIdSchema.optional(),
          region: regionPrefixQuery.optional(),
          programme: entityIdSchema.optional(),
          status: z.enum(classStatuses).optional(),
          ...pageFields,
        }),
        response: { 200: classPage },
      },
    },
    async (request) => {
      const p = principal(request)
      const q = request.query
      const after = classes.after(q.cursor)
      const where = sqlWhere()
        .regionUnder('c.region', p.region)
        .regionUnder('c.region', q.region)
        .equals('c.institution', institutionOf(p, q.institution))
        .equals('c.programme', q.programme)
        .equals(classStatusSql, q.status)
      where.after('c.id > ?', after)
      const rows = await options.db.query<ClassListRow>(
        `select c.*, (select count(*) from ${table('roster')} r where r.class = c.id) as enrolled
           from ${table('classes')} c ${where.sql()} order by c.id limit ${q.limit + 1}`,
        where.params,
      )
      return {
        ...classes.page(rows, q.limit, (c) => ({
          class: c.id,
          institution: c.institution,
          programme: c.programme,
          region: c.region,
          mode: c.mode,
          plannedStart: c.planned_start,
          plannedEnd: c.planned_end,
          status: classStatusOf(c),
          closedReason: c.closed_reason,
          sessions: Number(c.sessions),
          enrolled: Number(c.enrolled),
        })),
        total: await totalOf(options.db, `${table('classes')} c`, where),
      }
    },
  )

  const enrolments = pager<EnrolmentRow>('enrolments', options.cursorKey, (e) => [e.class, e.worker])
  app.get(
    '/v1/enrolments',
    {
      config: { auth: { roles: listRoles } },
      schema: {
        tags: ['training'],
        summary: 'Enrolments (class rosters), filtered and paged; each worker shown is logged',
        operationId: 'listEnrolments',
        description:
          'The workers on class rosters, by class then worker, filtered by class, institution, region prefix and ' +
          "worker (pseudonym). Institution staff see their own institution's classes; region-bound roles their " +
          "region; others the token's region when it names one. Each worker on the page is a read of that " +
          "person's data, recorded in their access log (`enrolment`) before the answer. `limit` is at most 200 " +
          '(default 50); pass `nextCursor` as `cursor` for the next page (a cursor that was changed, or that ' +
          'another list gave, is refused with 400). `total` counts the whole filter.',
        querystring: z.strictObject({
          class: entityIdSchema.optional(),
          institution: entityIdSchema.optional(),
          region: regionPrefixQuery.optional(),
          worker: pseudonymSchema.optional(),
          ...pageFields,
        }),
        response: { 200: enrolmentPage },
      },
    },
    async (request) => {
      const p = principal(request)
      const q = request.query
      const after = enrolments.after(q.cursor)
      const where = sqlWhere()
        .regionUnder('c.region', p.region)
        .regionUnder('c.region', q.region)
        .equals('c.institution', institutionOf(p, q.institution))
        .equals('r.class', q.class)
        .equals('r.worker', q.worker)
      where.after('(r.class, r.worker) > (?, ?)', after)
      const from = `${table('roster')} r join ${table('classes')} c on c.id = r.class`
      const rows = await options.db.query<EnrolmentRow>(
        `select r.class, r.worker, r.event, c.institution, c.region from ${from} ${where.sql()}
          order by r.class, r.worker limit ${q.limit + 1}`,
        where.params,
      )
      const page = enrolments.page(rows, q.limit, (e) => ({
        class: e.class,
        worker: e.worker,
        institution: e.institution,
        region: e.region,
        event: e.event,
      }))
      // Recorded before the answer is sent (fail closed); a worker twice on a page is one read.
      const reader = readerOf(p, String(request.id))
      const at = options.clock()
      const workers = new Map(page.items.map((e) => [e.worker, e.region]))
      if (q.worker && !workers.has(q.worker)) workers.set(q.worker, p.region ?? '')
      await Promise.all(
        [...workers].map(([worker, region]) =>
          options.accessLog.recordRead(
            reader,
            { worker, view: 'enrolment', found: page.items.length > 0 },
            { at, source: 'trec.oversight', region },
          ),
        ),
      )
      return { ...page, total: await totalOf(options.db, from, where) }
    },
  )

  const institutions = pager<InstitutionRow>('institutions', options.cursorKey, (i) => [i.id])
  app.get(
    '/v1/institutions',
    {
      config: { auth: { roles: listRoles } },
      schema: {
        tags: ['training'],
        summary: 'Designated institutions, filtered and paged',
        operationId: 'listInstitutions',
        description:
          'Entries of the designated list by id, filtered by region prefix and whether they are delisted. ' +
          'Institution staff see their own institution; region-bound roles their region; others the ' +
          "token's region when it names one. `limit` is at most 200 (default 50); pass `nextCursor` as " +
          '`cursor` for the next page (a cursor that was changed, or that another list gave, is refused ' +
          'with 400). `total` counts the whole filter.',
        querystring: z.strictObject({
          region: regionPrefixQuery.optional(),
          delisted: z.enum(['true', 'false']).optional(),
          ...pageFields,
        }),
        response: { 200: institutionPage },
      },
    },
    async (request) => {
      const p = principal(request)
      const q = request.query
      const after = institutions.after(q.cursor)
      const where = sqlWhere()
        .regionUnder('region', p.region)
        .regionUnder('region', q.region)
        .equals('id', institutionOf(p, undefined))
      if (q.delisted) where.raw(`delisted_from is ${q.delisted === 'true' ? 'not ' : ''}null`)
      where.after('id > ?', after)
      const rows = await options.db.query<InstitutionRow>(
        `select * from ${table('institutions')} ${where.sql()} order by id limit ${q.limit + 1}`,
        where.params,
      )
      return {
        ...institutions.page(rows, q.limit, (i) => ({
          institution: i.id,
          legalName: i.legal_name,
          region: i.region,
          designatedFrom: i.designated_from,
          delistedFrom: i.delisted_from,
        })),
        total: await totalOf(options.db, table('institutions'), where),
      }
    },
  )
}
