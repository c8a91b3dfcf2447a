import { handleCommand, loadState } from '@trec/command'
import {
  commandAnswerSchema,
  commandAnswerWith,
  commitmentFacts,
  commitmentIdSchema,
  dateSchema,
  entityIdSchema,
  eventIdSchema,
  noteSchema,
} from '@trec/contracts'
import { chinaDay } from '@trec/core'
import {
  assertRegionNamed,
  nextCursorField,
  type Platform,
  pageFields,
  pager,
  principal,
  singleEventId,
  sqlWhere,
} from '@trec/fastify-kit'
import { z } from 'zod'
import type { ResolvedOptions } from '../options.ts'
import type { CommitmentRow } from '../read/supervision-projection.ts'
import {
  type CommitmentCommand,
  type CommitmentState,
  commitmentDecider,
} from '../supervision/commitment-decider.ts'
import { actorOf, assertScope, notFound, source } from './common.ts'
import { institutionRegion } from './grades.ts'
import { regionPrefixQuery } from './list-sql.ts'

// 告知承诺制: an officer records an institution's commitment in place of proofs, and later the
// follow-up check (kept or breached). Checks past their due date wait in the officers' queue.

const roles = ['investigator', 'subsidy_officer'] as const

const recordBody = z
  .strictObject({
    institution: entityIdSchema,
    facts: z.array(z.enum(commitmentFacts)).min(1).max(commitmentFacts.length),
    statement: noteSchema,
    signedBy: z.strictObject({ office: z.string().min(1).max(60), letterRef: z.string().min(1).max(60) }),
    signedOn: dateSchema,
    checkDueBy: dateSchema,
  })
  .refine((b) => b.signedOn <= b.checkDueBy, { message: '核查期限早于承诺日期', path: ['checkDueBy'] })
  .meta({
    id: 'RecordCommitmentRequest',
    description:
      'An institution’s 告知承诺: the facts it commits to in place of proofs, who signed it and when, and the date its follow-up check is due by.',
    example: {
      institution: 'inst-130102-0001',
      facts: ['venue', 'teachers', 'no_prior_fraud'],
      statement: '本机构承诺培训场地、师资符合要求，无骗取补贴资金记录，如有不实愿承担相应责任',
      signedBy: { office: '法定代表人', letterRef: '长人社承诺〔2026〕12号' },
      signedOn: '2026-03-02',
      checkDueBy: '2026-06-30',
    },
  })

const checkBody = z
  .strictObject({
    result: z.enum(['kept', 'breached']),
    breachedFacts: z.array(z.enum(commitmentFacts)).max(commitmentFacts.length).default([]),
    findings: noteSchema,
    evidence: z.array(eventIdSchema).max(10_000).default([]),
    checkedOn: dateSchema,
  })
  .meta({
    id: 'CheckCommitmentRequest',
    description:
      'The follow-up check of a commitment: kept or breached, the facts breached, what was found and on what evidence.',
    example: {
      result: 'breached',
      breachedFacts: ['teachers'],
      findings: '现场核查：两名授课教师无相应职业资格证书',
      evidence: [],
      checkedOn: '2026-06-12',
    },
  })

const commitmentParams = z.strictObject({ commitment: commitmentIdSchema })

const commitmentExample = {
  commitment: 'commitment-0191b7a4-c2f0-7e3a-9d51-f0a2b3c4d5e6',
  institution: 'inst-130102-0001',
  region: '130102',
  facts: ['venue', 'teachers'],
  checkDueBy: '2026-06-30',
  recordedAt: '2026-03-02T08:00:00.000Z',
  status: 'breached',
  checkedOn: '2026-06-12',
  checkEvent: '0191b7a4-c2f0-7e3a-9d51-f0a2b3c4d5e7',
  sanctions: ['0191b7a4-c2f0-7e3a-9d51-f0a2b3c4d5e8'],
}
const commitmentSchema = z
  .object({
    commitment: z.string(),
    institution: z.string(),
    region: z.string(),
    facts: z.array(z.string()),
    checkDueBy: z.string(),
    recordedAt: z.string(),
    status: z.enum(['due', 'overdue', 'kept', 'breached']),
    checkedOn: z.string().nullable(),
    checkEvent: z.string().nullable().describe('The CommitmentChecked event.'),
    sanctions: z
      .array(z.string())
      .describe('The CaseSanctionDecided events that cite this commitment’s breach.'),
  })
  .meta({
    id: 'Commitment',
    description: 'A 告知承诺 and where its check stands.',
    example: commitmentExample,
  })

const overduePage = z
  .object({
    items: z.array(commitmentSchema),
    nextCursor: nextCursorField,
  })
  .meta({
    id: 'CommitmentPage',
    description: 'Commitments whose check is overdue, the longest overdue first.',
    example: {
      items: [{ ...commitmentExample, status: 'overdue', checkedOn: null, checkEvent: null, sanctions: [] }],
    },
  })

function view(r: CommitmentRow, today: string) {
  const status = r.result ?? (r.check_due_by < today ? 'overdue' : 'due')
  return {
    commitment: r.commitment,
    institution: r.institution,
    region: r.region,
    facts: r.facts,
    checkDueBy: r.check_due_by,
    recordedAt: r.recorded_at,
    status: status as 'due' | 'overdue' | 'kept' | 'breached',
    checkedOn: r.checked_on,
    checkEvent: r.check_event,
    sanctions: r.sanctions,
  }
}

/** A commitment's stream folded. */
export async function commitmentFile(options: ResolvedOptions, commitment: string) {
  return loadState<CommitmentState, never>(
    options.store,
    `oversight-${commitment}`,
    commitmentDecider as never,
  )
}

export function commitmentRoutes(app: Platform, options: ResolvedOptions): void {
  const today = () => chinaDay(options.clock())
  const run = (
    request: Parameters<typeof singleEventId>[0],
    region: string,
    stream: string,
    command: CommitmentCommand,
  ) =>
    handleCommand(options.store, commitmentDecider, {
      stream,
      command,
      meta: { occurredAt: options.clock().toISOString(), actor: actorOf(principal(request)), source, region },
      nextId: singleEventId(request),
    })

  app.post(
    '/v1/oversight/commitments',
    {
      config: { auth: { roles: [...roles] } },
      schema: {
        tags: ['oversight'],
        summary: 'Record an institution’s commitment (告知承诺制)',
        operationId: 'recordCommitment',
        description:
          'An investigator or a subsidy officer of the institution’s region records a 告知承诺: the facts the ' +
          'institution commits to in place of proofs (venue, teachers’ qualifications, equipment, no prior fraud), who ' +
          'signed it, and the date the follow-up check is due by. 404 for an institution not on the registry. A ' +
          'retry with the same Idempotency-Key records nothing new. Answers the commitment’s id.',
        body: recordBody,
        response: {
          201: commandAnswerWith(
            'RecordedCommitment',
            'commitment',
            commitmentExample.commitment,
            'The commitment’s id.',
          ),
        },
      },
    },
    async (request, reply) => {
      const b = request.body
      const region = await institutionRegion(options, b.institution)
      assertScope(principal(request), region)
      const commitment = `commitment-${singleEventId(request)()}`
      const result = await run(request, region, `oversight-${commitment}`, {
        kind: 'record',
        data: { ...b, facts: [...new Set(b.facts)], commitment, region },
      })
      return reply.code(201).send({ ids: result.ids, revision: result.append.revision, commitment })
    },
  )

  app.post(
    '/v1/oversight/commitments/:commitment/check',
    {
      config: { auth: { roles: [...roles] } },
      schema: {
        tags: ['oversight'],
        summary: 'Record the follow-up check of a commitment',
        operationId: 'checkCommitment',
        description:
          'An investigator or a subsidy officer of the commitment’s region records its follow-up check (事后核查): ' +
          'kept, or breached with the facts found not as committed, the findings and the evidence. A breach is what ' +
          'a sanction decided in a case then cites (`grounds`), and it counts against the institution’s 诚信等级. ' +
          'Refused (422) when already checked, dated before the signing or after today, or naming a fact not ' +
          'committed to. 404 for a commitment not on the record.',
        params: commitmentParams,
        body: checkBody,
        response: { 201: commandAnswerSchema },
      },
    },
    async (request, reply) => {
      const stream = `oversight-${request.params.commitment}`
      const { state } = await commitmentFile(options, request.params.commitment)
      if (!state.recorded) throw notFound('commitment')
      assertScope(principal(request), state.recorded.region)
      const b = request.body
      const result = await run(request, state.recorded.region, stream, {
        kind: 'check',
        data: { ...b, breachedFacts: [...new Set(b.breachedFacts)], evidence: [...new Set(b.evidence)] },
        today: today(),
      })
      return reply.code(201).send({ ids: result.ids, revision: result.append.revision })
    },
  )

  const table = () => options.readSide.supervision.table('commitments')
  app.get(
    '/v1/oversight/commitments/:commitment',
    {
      config: { auth: { roles: [...roles, 'auditor'] } },
      schema: {
        tags: ['oversight'],
        summary: 'A commitment and where its check stands',
        operationId: 'getCommitment',
        description:
          'An investigator, a subsidy officer or an auditor of the commitment’s region reads it: the facts, the due ' +
          'date, whether it is due, overdue, kept or breached, and the sanctions that cite its breach. 404 for a ' +
          'commitment not on the record (or not yet in the read model).',
        params: commitmentParams,
        response: { 200: commitmentSchema },
      },
    },
    async (request) => {
      const [row] = await options.db.query<CommitmentRow>(`select * from ${table()} where commitment = $1`, [
        request.params.commitment,
      ])
      if (!row) throw notFound('commitment')
      assertScope(principal(request), row.region)
      return view(row, today())
    },
  )

  const overdue = pager<CommitmentRow>('overdue-commitments', options.cursorKey, (r) => [
    r.check_due_by,
    r.commitment,
  ])
  app.get(
    '/v1/oversight/commitment-checks/overdue',
    {
      config: { auth: { roles: [...roles, 'auditor'] } },
      schema: {
        tags: ['oversight'],
        summary: 'Commitments whose follow-up check is overdue (an officer’s queue)',
        operationId: 'listOverdueCommitmentChecks',
        description:
          "An investigator, a subsidy officer or an auditor reads the commitments inside the token's region whose " +
          'check was due before today and is not recorded, the longest overdue first. `limit` is at most 200 ' +
          '(default 50); pass `nextCursor` as `cursor` for the next page (a cursor that was changed, or that ' +
          'another list gave, is refused with 400).',
        querystring: z.strictObject({ region: regionPrefixQuery.optional(), ...pageFields }),
        response: { 200: overduePage },
      },
    },
    async (request) => {
      const p = principal(request)
      const q = request.query
      assertRegionNamed(p)
      const day = today()
      const where = sqlWhere()
        .regionUnder('region', p.region)
        .regionUnder('region', q.region)
        .raw('result is null')
        .after('(check_due_by, commitment) > (?, ?)', overdue.after(q.cursor))
      const rows = await options.db.query<CommitmentRow>(
        `select * from ${table()} ${where.sql()} and check_due_by < $${where.params.length + 1}
         order by check_due_by, commitment limit ${q.limit + 1}`,
        [...where.params, day],
      )
      return overdue.page(rows, q.limit, (r) => view(r, day))
    },
  )
}
