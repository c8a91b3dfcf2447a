import { handleCommand, loadState } from '@trec/command'
import {
  commandAnswerSchema,
  dateSchema,
  entityIdSchema,
  inspectionOutcomes,
  noteSchema,
  samplingRunIdSchema,
} from '@trec/contracts'
import { chinaDay } from '@trec/core'
import {
  assertRegionNamed,
  commandEventIds,
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
import type { PublishedRow } from '../read/supervision-projection.ts'
import {
  type ResultCommand,
  type RunState,
  samplingResultsDecider,
} from '../supervision/sampling-results-decider.ts'
import { actorOf, assertScope, notFound, source } from './common.ts'
import { regionPrefixQuery } from './list-sql.ts'

// 双随机、一公开: the inspector records each target's result on the run's stream; the results are
// published when the last is in (or when an officer publishes), and the publication is served as
// a list (一公开) like the 公示 of claims: institution, date, outcome, summary; never a person.

const runParams = z.strictObject({ run: samplingRunIdSchema })

const resultBody = z
  .strictObject({
    target: entityIdSchema,
    outcome: z.enum(inspectionOutcomes),
    findings: noteSchema,
    inspectedOn: dateSchema,
  })
  .meta({
    id: 'RecordSamplingResultRequest',
    description:
      'The result of inspecting one target of a 双随机 run: outcome, findings and the day inspected.',
    example: {
      target: 'inst-130102-0001',
      outcome: 'rectification_ordered',
      findings: '培训台账与实名制签到记录不一致，责令15日内整改',
      inspectedOn: '2026-04-20',
    },
  })

const publishedExample = {
  run: 'sampling-0191b7a4-c2f0-7e3a-9d51-f0a2b3c4d5e6',
  institution: 'inst-130102-0001',
  target: 'inst-130102-0001',
  region: '130102',
  inspectedOn: '2026-04-20',
  outcome: 'rectification_ordered',
  summary: '培训台账与实名制签到记录不一致，责令15日内整改',
  publishedAt: '2026-04-30T02:00:00.000Z',
  publication: '0191b7a4-c2f0-7e3a-9d51-f0a2b3c4d5e7',
}
const publishedSchema = z
  .object({
    run: z.string(),
    institution: z.string(),
    target: z.string().describe('The institution or class drawn.'),
    region: z.string(),
    inspectedOn: z.string(),
    outcome: z.enum(inspectionOutcomes),
    summary: z.string().describe('The findings, at most 200 characters, card numbers redacted.'),
    publishedAt: z.string(),
    publication: z.string().describe('The SamplingResultsPublished event.'),
  })
  .meta({
    id: 'PublishedInspection',
    description: 'A 双随机 inspection result as published (一公开).',
    example: publishedExample,
  })
const publishedPage = z
  .object({
    items: z.array(publishedSchema),
    nextCursor: nextCursorField,
  })
  .meta({
    id: 'PublishedInspectionPage',
    description: '双随机 inspection results as published (一公开), newest first.',
    example: { items: [publishedExample] },
  })

async function runFile(options: ResolvedOptions, run: string) {
  const loaded = await loadState<RunState, never>(
    options.store,
    `oversight-${run}`,
    samplingResultsDecider as never,
  )
  if (!loaded.state.run) throw notFound('sampling run')
  return loaded.state.run
}

/** The institution a target is or belongs to: itself, or the institution of a class. */
async function institutionOf(options: ResolvedOptions, kind: 'institutions' | 'classes', target: string) {
  if (kind === 'institutions') return target
  const [row] = await options.db.query<{ institution: string | null }>(
    `select institution from ${options.readSide.registry.table('classes')} where id = $1`,
    [target],
  )
  return row?.institution ?? target
}

export function samplingResultRoutes(app: Platform, options: ResolvedOptions): void {
  const handle = async (
    request: FastifyRequest,
    run: string,
    command: (kind: 'institutions' | 'classes') => Promise<ResultCommand>,
    ids: () => string,
  ) => {
    const drawn = await runFile(options, run)
    const p = principal(request)
    assertScope(p, drawn.population.region)
    const result = await handleCommand(options.store, samplingResultsDecider, {
      stream: `oversight-${run}`,
      command: await command(drawn.population.kind),
      meta: {
        occurredAt: options.clock().toISOString(),
        actor: actorOf(p),
        source,
        region: drawn.population.region,
      },
      nextId: ids as never,
    })
    return { ids: result.ids, revision: result.append.revision }
  }

  app.post(
    '/v1/oversight/sampling-runs/:run/results',
    {
      config: { auth: { roles: ['investigator', 'subsidy_officer'] } },
      schema: {
        tags: ['oversight'],
        summary: 'Record the result of inspecting a target of a 双随机 run',
        operationId: 'recordSamplingResult',
        description:
          'An inspector (an investigator or a subsidy officer of the run’s region, one of those the run drew for ' +
          'the target when it drew any) records the result of inspecting one target: outcome, findings and the day. ' +
          'Once per target (422 `sampling-result-once`); 422 `sampling-target` for a target not drawn, ' +
          '`inspector-assigned` for an inspector not drawn for it. Recording the last target’s result publishes the ' +
          'run’s results (一公开) in the same append. 404 for a run not on the record.',
        params: runParams,
        body: resultBody,
        response: { 201: commandAnswerSchema },
      },
    },
    async (request, reply) => {
      const b = request.body
      const answer = await handle(
        request,
        request.params.run,
        async (kind) => ({
          kind: 'record',
          data: { ...b, institution: await institutionOf(options, kind, b.target) },
          inspector: principal(request).subject,
          today: chinaDay(options.clock()),
        }),
        commandEventIds(request),
      )
      return reply.code(201).send(answer)
    },
  )

  app.post(
    '/v1/oversight/sampling-runs/:run/publication',
    {
      config: { auth: { roles: ['investigator', 'subsidy_officer'] } },
      schema: {
        tags: ['oversight'],
        summary: 'Publish a 双随机 run’s results recorded so far (一公开)',
        operationId: 'publishSamplingResults',
        description:
          'An investigator or a subsidy officer of the run’s region publishes its results recorded so far, before ' +
          'every target’s is in (the last result publishes by itself); the publication names the targets still ' +
          'pending. 422 `sampling-results-none` when none is recorded, `sampling-published` when every result ' +
          'recorded is already published. 404 for a run not on the record.',
        params: runParams,
        response: { 201: commandAnswerSchema },
      },
    },
    async (request, reply) =>
      reply
        .code(201)
        .send(
          await handle(
            request,
            request.params.run,
            async () => ({ kind: 'publish' }),
            singleEventId(request),
          ),
        ),
  )

  const published = pager<PublishedRow>('published-inspections', options.cursorKey, (r) => [
    r.published_at,
    r.run,
    r.target,
  ])
  app.get(
    '/v1/oversight/published-inspections',
    {
      config: { auth: { roles: ['subsidy_officer', 'reviewer', 'investigator', 'auditor', 'card_service'] } },
      schema: {
        tags: ['oversight'],
        summary: '双随机 inspection results as published (一公开)',
        operationId: 'listPublishedInspections',
        description:
          'The 双随机 inspection results published, newest first, in the token’s region (a `region` outside it gives ' +
          'an empty page): institution, target, day inspected, outcome and a summary of the findings (at most 200 ' +
          'characters, card numbers redacted). No person is named: the inspectors and who recorded stay off the ' +
          'list, and no person’s record is read. `limit` is at most 200 (default 50); pass `nextCursor` as `cursor` ' +
          'for the next page.',
        querystring: z.strictObject({
          region: regionPrefixQuery.optional(),
          run: samplingRunIdSchema.optional(),
          ...pageFields,
        }),
        response: { 200: publishedPage },
      },
    },
    async (request) => {
      const p = principal(request)
      const q = request.query
      assertRegionNamed(p)
      const where = sqlWhere()
        .regionUnder('region', p.region)
        .regionUnder('region', q.region)
        .equals('run', q.run)
        .after('(published_at, run, target) < (?, ?, ?)', published.after(q.cursor))
      const rows = await options.db.query<PublishedRow>(
        `select * from ${options.readSide.supervision.table('published')} ${where.sql()}
         order by published_at desc, run desc, target desc limit ${q.limit + 1}`,
        where.params,
      )
      return published.page(rows, q.limit, (r) => ({
        run: r.run,
        institution: r.institution,
        target: r.target,
        region: r.region,
        inspectedOn: r.inspected_on,
        outcome: r.outcome as (typeof inspectionOutcomes)[number],
        summary: r.summary,
        publishedAt: r.published_at,
        publication: r.event,
      }))
    },
  )
}
