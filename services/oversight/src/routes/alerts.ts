import { handleCommand, reject } from '@trec/command'
import {
  alertIdSchema,
  alertSubjectKinds,
  caseIdSchema,
  commandAnswerSchema,
  fraudRuleIdSchema,
  noteSchema,
} from '@trec/contracts'
import { type Platform, pageFields, pager, principal, singleEventId } from '@trec/fastify-kit'
import { z } from 'zod'
import type { ResolvedOptions } from '../options.ts'
import type { AlertRow } from '../read/alerts-projection.ts'
import { actorOf, assertScope, notFound, source } from './common.ts'

const alertStatuses = ['open', 'confirmed', 'dismissed', 'duplicate'] as const
type AlertStatus = (typeof alertStatuses)[number]

const listQuery = z.strictObject({
  rule: fraudRuleIdSchema.optional(),
  status: z.enum(alertStatuses).optional(),
  subjectKind: z.enum(alertSubjectKinds).optional(),
  subjectId: z.string().min(1).max(64).optional(),
  /** A 行政区划代码 prefix of the alert's region. */
  region: z
    .string()
    .regex(/^\d{2}(\d{2}){0,2}$/)
    .optional(),
  /** Raised at or after / before (ISO 8601). */
  from: z.iso.datetime({ offset: true }).optional(),
  to: z.iso.datetime({ offset: true }).optional(),
  ...pageFields,
})

export function alertView(a: AlertRow) {
  return {
    alert: a.alert,
    rule: a.rule,
    ruleVersion: a.rule_version,
    subject: { kind: a.subject_kind, id: a.subject_id },
    summary: a.summary,
    measures: a.measures,
    evidence: a.evidence,
    raisedAt: a.raised_at,
    region: a.region,
    event: a.raised_event,
    position: String(a.position),
    status: a.status as AlertStatus,
    case: a.case_ref,
    resolutionNote: a.resolution_note,
  }
}

const alertExample = {
  alert: 'alert-R6-0191b7a4c2f07e3a9d51f0a2b3c4d5e6',
  rule: 'R6',
  ruleVersion: 1,
  subject: { kind: 'template', id: 'tpl-5f2c0e1a9b7d4c3e' },
  summary: 'one face template checked in under 2 workers',
  measures: { workers: 2 },
  evidence: ['0191b7a4-c2f0-7e3a-9d51-f0a2b3c4d5e6'],
  raisedAt: '2026-03-02T08:00:00.000Z',
  region: '130102',
  event: '0191b7a4-c2f0-7e3a-9d51-f0a2b3c4d5e7',
  position: '1024',
  status: 'open',
  case: null,
  resolutionNote: null,
}

const alertSchema = z
  .object({
    alert: z.string(),
    rule: z.string().describe('The fraud rule that raised it (R1…R13).'),
    ruleVersion: z.int().describe('The version of the rule’s logic and parameters it was computed under.'),
    subject: z
      .object({ kind: z.string(), id: z.string() })
      .describe('What the alert is about, by pseudonym or id.'),
    summary: z.string(),
    measures: z
      .record(z.string(), z.number())
      .nullable()
      .describe('Figures the rule measured (a speed in km/h, a share, a count).'),
    evidence: z.array(z.string()).describe('The events the condition was computed from.'),
    raisedAt: z.string(),
    region: z.string(),
    event: z.string().describe('The FraudAlertRaised event.'),
    position: z.string().describe('Its position in the log (a decimal integer).'),
    status: z.enum(alertStatuses),
    case: z.string().nullable().describe('The case a confirmed alert went to.'),
    resolutionNote: z.string().nullable(),
  })
  .meta({
    id: 'Alert',
    description:
      'A fraud alert: the rule, its subject, the evidence it was computed from and where it stands.',
    example: alertExample,
  })

const alertPage = z
  .object({
    items: z.array(alertSchema),
    nextCursor: z
      .string()
      .optional()
      .describe('Pass as `cursor` for the next page; absent on the last page.'),
  })
  .meta({
    id: 'AlertPage',
    description: 'A page of fraud alerts, oldest first.',
    example: { items: [alertExample], nextCursor: 'eyJsaXN0IjoiYWxlcnRzIiwiYWZ0ZXIiOlsiMTAyNCJdfQ.q3Jx…' },
  })

const resolutionBody = z
  .strictObject({
    resolution: z.enum(['confirmed', 'dismissed', 'duplicate']),
    case: caseIdSchema.optional(),
    note: noteSchema,
  })
  .refine((b) => b.resolution !== 'confirmed' || b.case !== undefined, {
    message: 'a confirmed alert names the case it went to',
    path: ['case'],
  })
  .meta({ id: 'ResolveAlertRequest', description: 'How an alert is resolved, and why.' })

export function alertRoutes(app: Platform, options: ResolvedOptions): void {
  const table = () => options.readSide.alerts.table('alerts')

  const alerts = pager<AlertRow>('alerts', options.cursorKey, (a) => [String(a.position)])
  app.get(
    '/v1/oversight/alerts',
    {
      config: { auth: { roles: ['investigator', 'auditor'] } },
      schema: {
        tags: ['oversight'],
        summary: "Fraud alerts, filtered, oldest first (the investigator's queue)",
        operationId: 'listAlerts',
        description:
          'An investigator or an auditor reads alerts in the order they were raised, filtered by rule, status, subject, region prefix and time, ' +
          "inside the token's region. `limit` is at most 200 (default 50); pass `nextCursor` as `cursor` for the " +
          'next page. A cursor that was changed, or that another list gave, is refused with 400. Subjects are ' +
          "named by pseudonym; the list is not an access event (reading a claim's trace is).",
        querystring: listQuery,
        response: { 200: alertPage },
      },
    },
    async (request) => {
      const p = principal(request)
      const q = request.query
      const after = alerts.after(q.cursor)
      const where: string[] = []
      const params: unknown[] = []
      const add = (sql: string, value: unknown) => {
        params.push(value)
        where.push(sql.replace('?', `$${params.length}`))
      }
      if (q.rule) add('rule = ?', q.rule)
      if (q.status) add('status = ?', q.status)
      if (q.subjectKind) add('subject_kind = ?', q.subjectKind)
      if (q.subjectId) add('subject_id = ?', q.subjectId)
      if (q.region) add("region like ? || '%'", q.region)
      if (p.region) add("region like ? || '%'", p.region)
      if (q.from) add('raised_at::timestamptz >= ?::timestamptz', q.from)
      if (q.to) add('raised_at::timestamptz < ?::timestamptz', q.to)
      if (after) add('position > ?::int8', String(after[0]))
      const rows = await options.db.query<AlertRow>(
        `select * from ${table()} ${where.length ? `where ${where.join(' and ')}` : ''} order by position limit ${q.limit + 1}`,
        params,
      )
      return alerts.page(rows, q.limit, alertView)
    },
  )

  const alertParams = z.strictObject({ alert: alertIdSchema })

  app.get(
    '/v1/oversight/alerts/:alert',
    {
      config: { auth: { roles: ['investigator', 'auditor'] } },
      schema: {
        tags: ['oversight'],
        summary: 'One fraud alert with its evidence',
        operationId: 'getAlert',
        description:
          'An investigator or an auditor reads one alert: the rule and version that raised it, its subject, the ' +
          'figures it measured, the evidence events and whether it is open or resolved. 404 for an alert not on ' +
          'the record; 403 for one outside the token’s region.',
        params: alertParams,
        response: { 200: alertSchema },
      },
    },
    async (request) => {
      const [row] = await options.db.query<AlertRow>(`select * from ${table()} where alert = $1`, [
        request.params.alert,
      ])
      if (!row) throw notFound('alert')
      assertScope(principal(request), row.region)
      return alertView(row)
    },
  )

  app.post(
    '/v1/oversight/alerts/:alert/resolution',
    {
      config: { auth: { roles: ['investigator'] } },
      schema: {
        tags: ['oversight'],
        summary: 'Resolve an alert: confirmed (naming its case), dismissed, or a duplicate',
        operationId: 'resolveAlert',
        description:
          'An investigator of the alert’s region resolves an open alert: confirmed (naming the case it went to, ' +
          'which must exist), dismissed or a duplicate, with a note. 422 when the alert is already resolved or the ' +
          'case does not exist. Answers the event appended.',
        params: alertParams,
        body: resolutionBody,
        response: { 201: commandAnswerSchema },
      },
    },
    async (request, reply) => {
      const p = principal(request)
      const { alert } = request.params
      const stream = `oversight-${alert}`
      const raised = (await options.store.readStream(stream, { maxCount: 1 }))[0]
      if (!raised) throw notFound('alert')
      const region = String((raised.metadata as { region?: unknown }).region)
      assertScope(p, region)
      if (request.body.case && (await options.store.streamRevision(`oversight-${request.body.case}`)) < 0)
        reject({ rule: 'case-exists', message: `case ${request.body.case} does not exist` })
      const result = await handleCommand(
        options.store,
        {
          initialState: () => ({ raised: false, resolved: false }),
          evolve: (s, e) =>
            e.type === 'FraudAlertRaised'
              ? { ...s, raised: true }
              : e.type === 'FraudAlertResolved'
                ? { ...s, resolved: true }
                : s,
          decide: (_c: null, s) => {
            if (s.resolved) reject({ rule: 'alert-open', message: 'the alert is already resolved' })
            return [{ type: 'FraudAlertResolved' as const, data: { alert, ...request.body } }]
          },
        },
        {
          stream,
          command: null,
          meta: {
            occurredAt: options.clock().toISOString(),
            actor: actorOf(p),
            source,
            region,
          },
          nextId: singleEventId(request),
        },
      )
      return reply.code(201).send({ ids: result.ids, revision: result.append.revision })
    },
  )
}
