import { handleCommand, loadState, reject } from '@trec/command'
import {
  alertIdSchema,
  alertSubjectSchema,
  caseClawbackReasons,
  caseConclusions,
  caseIdSchema,
  commandAnswerSchema,
  commandAnswerWith,
  decodeRecorded,
  entityIdSchema,
  eventIdSchema,
  noteSchema,
  positiveFenSchema,
  regionCodeSchema,
  samplingRunIdSchema,
  sanctionKinds,
} from '@trec/contracts'
import { uuidv8Of } from '@trec/core'
import {
  commandEventIds,
  type Platform,
  type Principal,
  pageFields,
  pager,
  principal,
  principalKey,
  singleEventId,
  sqlWhere,
} from '@trec/fastify-kit'
import type { FastifyRequest } from 'fastify'
import { z } from 'zod'
import { type CaseCommand, type CaseState, caseDecider } from '../cases/case-decider.ts'
import type { ResolvedOptions } from '../options.ts'
import type { CaseRow } from '../read/casework-projection.ts'
import { claimRow } from '../trace/claim-trace.ts'
import { actorOf, assertScope, notFound, source } from './common.ts'
import { groundsEvent } from './sanction-grounds.ts'

const caseParams = z.strictObject({ case: caseIdSchema })
const ids = z.array(eventIdSchema).max(10_000)
const alertIds = z.array(alertIdSchema).max(1000)

const caseBases = ['alert', 'sampling', 'tip_off', 'audit_finding', 'other'] as const

const openBody = z
  .strictObject({
    title: z.string().min(1).max(200),
    region: regionCodeSchema,
    basis: z.enum(caseBases),
    subjects: z.array(alertSubjectSchema).max(200).default([]),
    alerts: alertIds.default([]),
    samplingRun: samplingRunIdSchema.optional(),
  })
  .meta({
    id: 'OpenCaseRequest',
    description:
      'A case to open: its title, region, basis, subjects, and the alerts or sampling run it rests on.',
  })

const openAnswer = commandAnswerWith(
  'OpenCaseAnswer',
  'case',
  'case-0191b7a4-c2f0-7e3a-9d51-f0a2b3c4d5e6',
  'The case opened.',
)

const linkBody = z
  .strictObject({ evidence: ids.default([]), alerts: alertIds.default([]), note: noteSchema.optional() })
  .refine((b) => b.evidence.length + b.alerts.length > 0, { message: 'link at least one event or alert' })
  .meta({ id: 'LinkCaseEvidenceRequest', description: 'Events of the record and alerts to link to a case.' })

const findingsBody = z
  .strictObject({
    conclusion: z.enum(caseConclusions),
    findings: noteSchema,
    evidence: ids.default([]),
  })
  .meta({
    id: 'RecordCaseFindingsRequest',
    description: 'The conclusion of a case and the events it rests on.',
  })

const sanctionBody = z
  .strictObject({
    target: z.strictObject({
      kind: z.enum(['institution', 'evaluator', 'teacher', 'enterprise', 'worker']),
      id: entityIdSchema,
    }),
    sanction: z.enum(sanctionKinds),
    note: noteSchema,
    /** The supervision finding the sanction cites: a commitment, an annual report or a sampling run. */
    grounds: z
      .strictObject({
        kind: z.enum(['commitment_breach', 'annual_inspection', 'sampling_result']),
        ref: z.string().min(1).max(80),
      })
      .optional(),
  })
  .meta({
    id: 'DecideSanctionRequest',
    description: 'A sanction decided in a case, against whom, and the supervision finding it cites if any.',
  })

const clawbackBody = z
  .strictObject({
    claim: entityIdSchema,
    amount: positiveFenSchema,
    reason: z.enum(caseClawbackReasons),
    evidence: ids.default([]),
    note: noteSchema.optional(),
  })
  .meta({
    id: 'RequestClawbackRequest',
    description:
      'A paid subsidy a case asks to recover: the claim, the amount in fen, why, and on what evidence.',
  })

const closeBody = z
  .strictObject({
    outcome: z.enum(['substantiated', 'unsubstantiated', 'referred', 'withdrawn']),
    note: noteSchema.optional(),
  })
  .meta({ id: 'CloseCaseRequest', description: 'How a case ends.' })

/** JSON with every object's keys sorted: the same content always gives the same text. */
const canonicalJson = (value: unknown) =>
  JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : v,
  )

/** A case's stream folded, with its events: the case file. */
async function caseFile(options: ResolvedOptions, id: string) {
  const stream = `oversight-${id}`
  const loaded = await loadState<CaseState, never>(options.store, stream, caseDecider as never)
  return { stream, ...loaded }
}

async function run(
  options: ResolvedOptions,
  request: FastifyRequest,
  p: Principal,
  id: string,
  region: string,
  command: CaseCommand,
) {
  const nextId = singleEventId(request)
  const result = await handleCommand(options.store, caseDecider, {
    stream: `oversight-${id}`,
    command,
    meta: {
      occurredAt: options.clock().toISOString(),
      actor: actorOf(p),
      source,
      region,
    },
    nextId,
  })
  return { ids: result.ids, revision: result.append.revision }
}

/** Checks that every alert named is in the record (and in the caller's region). */
async function assertAlerts(options: ResolvedOptions, p: Principal, alerts: readonly string[]) {
  if (alerts.length === 0) return
  const rows = await options.db.query<{ alert: string; region: string }>(
    `select alert, region from ${options.readSide.alerts.table('alerts')} where alert = any($1::text[])`,
    [alerts],
  )
  const known = new Map(rows.map((r) => [r.alert, r.region]))
  const missing = alerts.filter((a) => !known.has(a))
  if (missing.length > 0)
    reject({
      rule: 'alerts-exist',
      message: 'some alerts are not in the record',
      details: { alerts: missing },
    })
  for (const region of known.values()) assertScope(p, region)
}

const caseFileSchema = z
  .object({
    case: z.string(),
    title: z.string(),
    region: z.string(),
    basis: z.enum(caseBases),
    status: z.enum(['open', 'closed']),
    conclusion: z.enum(caseConclusions).nullable(),
    outcome: z.string().nullable(),
    alerts: z.array(z.string()).describe('The alerts linked to the case.'),
    evidence: z.array(z.string()).describe('The events of the record linked as evidence.'),
    requestedClawbacks: z
      .record(z.string(), z.number())
      .describe('The amounts (in fen) already asked back, by claim.'),
    revision: z.int().describe('The revision of the case’s stream.'),
    events: z
      .array(
        z.object({
          id: z.string(),
          type: z.string(),
          occurredAt: z.string(),
          actor: z.object({ kind: z.string(), id: z.string(), institution: z.string().optional() }),
          data: z
            .record(z.string(), z.unknown())
            .describe('The event’s data, as the event catalogue defines it.'),
        }),
      )
      .describe('Every event of the case, in order.'),
  })
  .meta({
    id: 'CaseFile',
    description: 'A case file: where the case stands and every event of it.',
    example: {
      case: 'case-0191b7a4-c2f0-7e3a-9d51-f0a2b3c4d5e6',
      title: '同一人脸模板在两名学员名下签到',
      region: '130102',
      basis: 'alert',
      status: 'open',
      conclusion: 'fraud_confirmed',
      outcome: null,
      alerts: ['alert-R6-0191b7a4c2f07e3a9d51f0a2b3c4d5e6'],
      evidence: ['0191b7a4-c2f0-7e3a-9d51-f0a2b3c4d5e6'],
      requestedClawbacks: {},
      revision: 1,
      events: [
        {
          id: '0191b7a4-c2f0-7e3a-9d51-f0a2b3c4d5e7',
          type: 'CaseOpened',
          occurredAt: '2026-03-02T08:00:00.000Z',
          actor: { kind: 'investigator', id: 'inv-7' },
          data: {
            case: 'case-0191b7a4-c2f0-7e3a-9d51-f0a2b3c4d5e6',
            title: '同一人脸模板在两名学员名下签到',
            region: '130102',
            basis: 'alert',
            subjects: [{ kind: 'template', id: 'tpl-5f2c0e1a9b7d4c3e' }],
            alerts: ['alert-R6-0191b7a4c2f07e3a9d51f0a2b3c4d5e6'],
          },
        },
        {
          id: '0191b7a4-c2f0-7e3a-9d51-f0a2b3c4d5e8',
          type: 'CaseFindingsRecorded',
          occurredAt: '2026-03-09T08:00:00.000Z',
          actor: { kind: 'investigator', id: 'inv-7' },
          data: {
            case: 'case-0191b7a4-c2f0-7e3a-9d51-f0a2b3c4d5e6',
            conclusion: 'fraud_confirmed',
            findings: '两名学员的签到来自同一人脸模板，一人未参训',
            evidence: ['0191b7a4-c2f0-7e3a-9d51-f0a2b3c4d5e6'],
          },
        },
      ],
    },
  })

export function caseRoutes(app: Platform, options: ResolvedOptions): void {
  const roles = { auth: { roles: ['investigator'] as const } }

  app.post(
    '/v1/oversight/cases',
    {
      config: roles,
      schema: {
        tags: ['oversight'],
        summary: 'Open a case (立案)',
        operationId: 'openCase',
        description:
          'An investigator of the region opens a case (立案) on alerts, a sampling run, a tip-off or an audit ' +
          'finding. The alerts named must be on the record in the caller’s region, the sampling run must exist ' +
          '(422 otherwise). The same request sent again, with the same Idempotency-Key or the same content, ' +
          'answers the case already opened. Answers the case id.',
        body: openBody,
        response: { 201: openAnswer },
      },
    },
    async (request, reply) => {
      const p = principal(request)
      assertScope(p, request.body.region)
      await assertAlerts(options, p, request.body.alerts)
      if (
        request.body.samplingRun &&
        (await options.store.streamRevision(`oversight-${request.body.samplingRun}`)) < 0
      )
        reject({
          rule: 'sampling-run-exists',
          message: `sampling run ${request.body.samplingRun} does not exist`,
        })
      // The case id is derived from the request: from its Idempotency-Key when there is one, else
      // from its content and the caller (the same investigator asking for the same case again is
      // a retry, not a second case). Either way two racing copies of one request open one case,
      // and a copy that comes after is answered with the case already opened.
      const data = { ...request.body, alerts: [...new Set(request.body.alerts)] }
      const byContent = request.idempotency === undefined
      const name = byContent ? `case by content\n${principalKey(p)}\n${canonicalJson(data)}` : undefined
      const id = `case-${name ? uuidv8Of(name) : commandEventIds(request)()}`
      const opened = async () => {
        const file = await caseFile(options, id)
        const first = file.events[0]
        return first && file.state.opened ? { ids: [first.id], revision: file.revision, case: id } : undefined
      }
      if (byContent) {
        const earlier = await opened()
        if (earlier) return reply.code(201).send(earlier)
      }
      try {
        const answer = await run(options, request, p, id, request.body.region, {
          kind: 'open',
          data: { case: id, ...data },
        })
        return reply.code(201).send({ ...answer, case: id })
      } catch (error) {
        // A copy of the same content that raced this one opened the case first.
        const earlier = byContent ? await opened() : undefined
        if (earlier) return reply.code(201).send(earlier)
        throw error
      }
    },
  )

  /** A command on an open case: `path` under the case, how the document names and describes it. */
  interface Step {
    path: string
    operationId: string
    summary: string
    description: string
  }
  const step = <B extends z.ZodType>(
    { path, operationId, summary, description }: Step,
    body: B,
    command: (
      body: z.output<B>,
      context: { id: string; region: string; p: Principal; state: CaseState },
    ) => Promise<CaseCommand>,
  ) =>
    app.post(
      `/v1/oversight/cases/:case/${path}`,
      {
        config: roles,
        schema: {
          tags: ['oversight'],
          summary,
          operationId,
          description: `An investigator of the case’s region ${description} 404 for a case not on the record, 422 for a closed one. Answers the event appended.`,
          params: caseParams,
          body,
          response: { 201: commandAnswerSchema },
        },
      },
      async (request, reply) => {
        const p = principal(request)
        const id = (request.params as { case: string }).case
        const file = await caseFile(options, id)
        if (!file.state.opened) throw notFound('case')
        const region = file.state.opened.region
        assertScope(p, region)
        const cmd = await command(request.body as z.output<B>, { id, region, p, state: file.state })
        return reply.code(201).send(await run(options, request, p, id, region, cmd))
      },
    )

  const linking = {
    path: 'evidence',
    operationId: 'linkCaseEvidence',
    summary: 'Link events of the record and alerts to a case',
    description:
      'links events of the record and alerts to an open case as its evidence (chain of custody); the alerts must be on the record in the caller’s region (422 otherwise).',
  }
  step(linking, linkBody, async (b, { p }) => {
    await assertAlerts(options, p, b.alerts)
    return {
      kind: 'link',
      evidence: [...new Set(b.evidence)],
      alerts: [...new Set(b.alerts)],
      ...(b.note ? { note: b.note } : {}),
    }
  })
  const findings = {
    path: 'findings',
    operationId: 'recordCaseFindings',
    summary: 'Record the findings of a case',
    description:
      'records the findings of an open case: a conclusion, what was found and the events it rests on.',
  }
  step(findings, findingsBody, async (b) => ({
    kind: 'findings',
    data: { ...b, evidence: [...new Set(b.evidence)] },
  }))
  const sanction = {
    path: 'sanctions',
    operationId: 'decideSanction',
    summary: 'Decide a sanction in a case',
    description:
      'records a sanction decided in an open case against an institution, evaluator, teacher, enterprise or worker; the findings must have concluded fraud or an irregularity (422 otherwise). With `grounds` it cites a supervision finding against the institution targeted: a breached 告知承诺 (`commitment_breach`, ref the commitment), a 不合格 年度检查 (`annual_inspection`, ref annual-{institution}-{year}) or a 双随机 result that found a problem (`sampling_result`, ref the run); the event is recorded with it (422 `sanction-grounds` when the ref records none). The service that owns it carries it out.',
  }
  step(sanction, sanctionBody, async ({ grounds, ...b }) => ({
    kind: 'sanction',
    data: grounds
      ? { ...b, grounds: { ...grounds, event: await groundsEvent(options, grounds, b.target) } }
      : b,
  }))
  const clawback = {
    path: 'clawback-requests',
    operationId: 'requestClawback',
    summary: 'Ask the subsidy service to recover a paid subsidy (追回)',
    description:
      'asks the subsidy service to recover (追回) an amount (in fen) of a claim paid in their region; the findings must have concluded fraud or an irregularity, and the amount asked in all may not exceed what was paid and not yet recovered (422 otherwise).',
  }
  step(clawback, clawbackBody, async (b, { p }) => {
    const claim = await claimRow({ db: options.db, registry: options.readSide.registry }, b.claim)
    if (!claim) throw notFound('claim')
    assertScope(p, claim.region)
    // The amounts from the subsidy stream itself, the source of truth, not the read model.
    let paid = 0
    let clawedBack = 0
    for (const recorded of await options.store.readStream(`subsidy-${claim.worker}`)) {
      const e = decodeRecorded(recorded)
      if (e.type === 'SubsidyPaid' && e.data.claim === b.claim) paid += e.data.amount
      if (e.type === 'SubsidyClawedBack' && e.data.claim === b.claim) clawedBack += e.data.amount
    }
    return {
      kind: 'clawback',
      data: {
        claim: b.claim,
        worker: claim.worker,
        amount: b.amount,
        reason: b.reason,
        evidence: [...new Set(b.evidence)],
        ...(b.note ? { note: b.note } : {}),
      },
      paid,
      clawedBack,
    }
  })
  const closure = {
    path: 'closure',
    operationId: 'closeCase',
    summary: 'Close a case',
    description: 'closes an open case with its outcome.',
  }
  step(closure, closeBody, async (b) => ({ kind: 'close', data: b }))

  app.get(
    '/v1/oversight/cases/:case',
    {
      config: { auth: { roles: ['investigator', 'auditor'] } },
      schema: {
        tags: ['oversight'],
        summary: 'A case file: where it stands and every event of it',
        operationId: 'getCaseFile',
        description:
          'An investigator or an auditor of the case’s region reads a case file: its title, region and basis, ' +
          'whether it is open or closed, its conclusion and outcome, the alerts and evidence linked, the amounts ' +
          'asked back by claim, and every event of the case in order. 404 for a case not on the record.',
        params: caseParams,
        response: { 200: caseFileSchema },
      },
    },
    async (request) => {
      const file = await caseFile(options, request.params.case)
      const opened = file.state.opened
      if (!opened) throw notFound('case')
      assertScope(principal(request), opened.region)
      return {
        case: opened.case,
        title: opened.title,
        region: opened.region,
        basis: opened.basis,
        status: file.state.closed ? ('closed' as const) : ('open' as const),
        conclusion: file.state.conclusion ?? null,
        outcome: file.state.closed?.outcome ?? null,
        alerts: file.state.alerts,
        evidence: file.state.evidence,
        requestedClawbacks: file.state.requested,
        revision: file.revision,
        events: file.events.map((r) => {
          const e = decodeRecorded(r)
          return { id: e.id, type: e.type, occurredAt: e.occurredAt, actor: e.actor, data: e.data }
        }),
      }
    },
  )

  const cases = pager<CaseRow>('cases', options.cursorKey, (c) => [c.opened_at, c.case_id])
  app.get(
    '/v1/oversight/cases',
    {
      config: { auth: { roles: ['investigator', 'auditor'] } },
      schema: {
        tags: ['oversight'],
        summary: 'Cases, newest first',
        operationId: 'listCases',
        description:
          "An investigator or an auditor reads the cases opened inside the token's region, newest first, filtered by status and region prefix. " +
          '`limit` is at most 200 (default 50); pass `nextCursor` as `cursor` for the next page. A cursor that ' +
          'was changed, or that another list gave, is refused with 400.',
        querystring: z.strictObject({
          status: z.enum(['open', 'closed']).optional(),
          /** A 行政区划代码 prefix of the case's region (intersected with the token's). */
          region: z
            .string()
            .regex(/^\d{2}(\d{2}){0,2}$/)
            .optional(),
          ...pageFields,
        }),
        response: { 200: casePage },
      },
    },
    async (request) => {
      const p = principal(request)
      const q = request.query
      // Only the filters given go into the statement, so it walks `(opened_at, case_id)` (or the
      // status index) from the cursor down instead of sorting the whole filter.
      const where = sqlWhere()
        .equals('status', q.status)
        .regionUnder('region', p.region)
        .regionUnder('region', q.region)
        .after('(opened_at, case_id) < (?, ?)', cases.after(q.cursor))
      const rows = await options.db.query<CaseRow>(
        `select * from ${options.readSide.casework.table('cases')} ${where.sql()}
         order by opened_at desc, case_id desc limit ${q.limit + 1}`,
        where.params,
      )
      return cases.page(rows, q.limit, caseView)
    },
  )
}

/** A case as a list shows it (camelCase, like every answer). */
function caseView(c: CaseRow) {
  return {
    case: c.case_id,
    title: c.title,
    region: c.region,
    basis: c.basis,
    status: c.status,
    conclusion: c.conclusion,
    outcome: c.outcome,
    openedAt: c.opened_at,
    openedBy: c.opened_by,
    alerts: c.alerts,
    evidence: c.evidence,
    sanctions: c.sanctions,
    clawbacks: c.clawbacks,
    lastEvent: c.last_event,
  }
}

const caseExample = {
  case: 'case-0191b7a4-c2f0-7e3a-9d51-f0a2b3c4d5e6',
  title: '同一人脸模板在两名学员名下签到',
  region: '130102',
  basis: 'alert',
  status: 'open',
  conclusion: null,
  outcome: null,
  openedAt: '2026-03-02T08:00:00.000Z',
  openedBy: 'investigator:inv-7',
  alerts: 1,
  evidence: 4,
  sanctions: 0,
  clawbacks: 0,
  lastEvent: '0191b7a4-c2f0-7e3a-9d51-f0a2b3c4d5e7',
}

const caseSchema = z
  .object({
    case: z.string(),
    title: z.string(),
    region: z.string(),
    basis: z.string(),
    status: z.string().describe('`open` or `closed`.'),
    conclusion: z.string().nullable(),
    outcome: z.string().nullable(),
    openedAt: z.string(),
    openedBy: z.string(),
    alerts: z.int().describe('How many alerts are linked.'),
    evidence: z.int().describe('How many events are linked as evidence.'),
    sanctions: z.int(),
    clawbacks: z.int(),
    lastEvent: z.string(),
  })
  .meta({
    id: 'Case',
    description: 'A case as the list shows it: where it stands and counts of what it holds.',
    example: caseExample,
  })

const casePage = z
  .object({
    items: z.array(caseSchema),
    nextCursor: z
      .string()
      .optional()
      .describe('Pass as `cursor` for the next page; absent on the last page.'),
  })
  .meta({
    id: 'CasePage',
    description: 'A page of cases, newest first.',
    example: { items: [caseExample], nextCursor: 'eyJsaXN0IjoiY2FzZXMiLCJhZnRlciI6W119.q3Jx…' },
  })
