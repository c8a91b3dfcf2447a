import { handleCommand } from '@trec/command'
import {
  commandAnswerSchema,
  dateSchema,
  decodeRecorded,
  entityIdSchema,
  eventIdSchema,
  integrityGrades,
  noteSchema,
} from '@trec/contracts'
import { type Platform, principal, singleEventId } from '@trec/fastify-kit'
import { z } from 'zod'
import { gradeDecider } from '../grades/grade-decider.ts'
import { exampleGradeThresholds } from '../grades/integrity-grade.ts'
import type { ResolvedOptions } from '../options.ts'
import { actorOf, assertScope, notFound, source } from './common.ts'

// 诚信等级评定: an officer records an institution's grade, computed from the KPIs, findings and
// thresholds given (not in the seeds: set by the region), and anyone in scope reads the history.

const rate = z.number().min(0).max(1)
const gradeBody = z
  .strictObject({
    period: z.strictObject({ from: dateSchema, to: dateSchema }),
    inputs: z.strictObject({
      completions: z.int().min(0),
      passRate: rate,
      certificationRate: rate,
      confirmedFraud: z.int().min(0),
      sanctionsInForce: z.int().min(0),
    }),
    thresholds: z.strictObject({
      A: z.strictObject({ minCompletions: z.int().min(0), passRate: rate, certificationRate: rate }),
      C: z.strictObject({ passRate: rate, certificationRate: rate }),
      fraudForD: z.int().min(1),
    }),
    evidence: z.array(eventIdSchema).max(10_000),
    note: noteSchema,
  })
  .refine((b) => b.period.from <= b.period.to, { message: 'from is after to', path: ['period', 'to'] })
  .meta({
    id: 'GradeInstitutionRequest',
    description:
      'The period graded, its KPIs (completions, 合格率, 取证率), confirmed-fraud findings and sanctions in force, the region’s thresholds (not in the seeds) and the events counted.',
    example: {
      period: { from: '2026-01-01', to: '2026-06-30' },
      inputs: {
        completions: 41,
        passRate: 0.78,
        certificationRate: 0.61,
        confirmedFraud: 1,
        sanctionsInForce: 0,
      },
      thresholds: exampleGradeThresholds,
      evidence: ['0191b7a4-c2f0-7e3a-9d51-f0a2b3c4d5e6'],
      note: '2026年上半年诚信等级评定',
    },
  })

const gradeExample = {
  id: '0191b7a4-c2f0-7e3a-9d51-f0a2b3c4d5e6',
  occurredAt: '2026-07-02T08:00:00.000Z',
  grade: 'C' as const,
  period: { from: '2026-01-01', to: '2026-06-30' },
  inputs: {
    completions: 41,
    passRate: 0.78,
    certificationRate: 0.61,
    confirmedFraud: 1,
    sanctionsInForce: 0,
  },
  thresholds: exampleGradeThresholds,
  evidence: ['0191b7a4-c2f0-7e3a-9d51-f0a2b3c4d5e6'],
  note: '2026年上半年诚信等级评定',
}
const historyAnswer = z
  .object({
    institution: z.string(),
    region: z.string(),
    latest: z.enum(integrityGrades).nullable().describe('The latest grade; null when never graded.'),
    grades: z
      .array(
        z.object({
          id: z.string().describe('The InstitutionGraded event.'),
          occurredAt: z.string(),
          grade: z.enum(integrityGrades),
          period: z.object({ from: z.string(), to: z.string() }),
          inputs: z.record(z.string(), z.number()),
          thresholds: z.unknown(),
          evidence: z.array(z.string()),
          note: z.string(),
        }),
      )
      .describe('Every grade, oldest first.'),
  })
  .meta({
    id: 'GradeHistory',
    description: 'An institution’s 诚信等级 history as recorded.',
    example: { institution: 'inst-130102-0001', region: '130102', latest: 'C', grades: [gradeExample] },
  })

const params = z.strictObject({ institution: entityIdSchema })

/** The region of an institution on the registry; 404 when it is not there. */
export async function institutionRegion(options: ResolvedOptions, institution: string) {
  const [row] = await options.db.query<{ region: string }>(
    `select region from ${options.readSide.registry.table('institutions')} where id = $1`,
    [institution],
  )
  if (!row) throw notFound('institution', { institution })
  return row.region
}

/**
 * What the supervision record holds against an institution in a period, counted for its grade
 * (never typed by the officer): breached commitments, 不合格 and 基本合格 annual inspections and
 * 双随机 results that found a problem, with the events counted.
 */
async function supervisionInputs(
  options: ResolvedOptions,
  institution: string,
  period: { from: string; to: string },
) {
  const t = (name: string) => options.readSide.supervision.table(name)
  const rows = await options.db.query<{ input: string; event: string }>(
    `select 'commitmentBreaches' as input, check_event as event from ${t('commitments')}
       where institution = $1 and result = 'breached' and checked_on between $2 and $3
     union all
     select case result when 'unqualified' then 'inspectionsUnqualified' else 'inspectionsBasic' end, inspection_event
       from ${t('annual')} where institution = $1 and result in ('unqualified', 'basically_qualified')
       and inspected_on between $2 and $3
     union all
     select 'samplingFailures', event from ${t('sampling_results')}
       where institution = $1 and outcome <> 'compliant' and inspected_on between $2 and $3`,
    [institution, period.from, period.to],
  )
  const counts = {
    commitmentBreaches: 0,
    inspectionsUnqualified: 0,
    inspectionsBasic: 0,
    samplingFailures: 0,
  }
  for (const r of rows) counts[r.input as keyof typeof counts]++
  return { counts, evidence: rows.map((r) => r.event) }
}

export function gradeRoutes(app: Platform, options: ResolvedOptions): void {
  app.post(
    '/v1/oversight/institutions/:institution/grades',
    {
      config: { auth: { roles: ['investigator', 'subsidy_officer'] } },
      schema: {
        tags: ['oversight'],
        summary: 'Grade an institution (诚信等级评定)',
        operationId: 'gradeInstitution',
        description:
          'An investigator or a subsidy officer of the institution’s region records its 诚信等级 (A best, D worst) for a ' +
          'period. The grade is computed from the inputs and thresholds given (the grades and thresholds are not in the ' +
          'seeds; the region sets them) and from what the supervision record holds against the institution in the ' +
          'period, counted here, never typed: breached 告知承诺, 年度检查 不合格 or 基本合格, and 双随机 results that ' +
          'found a problem (the events counted join the evidence). It is recorded with them as InstitutionGraded, so it re-derives. The latest grade ' +
          'weights 双随机 sampling and may bar advances (先行拨付). 404 for an institution not on the registry. A retry ' +
          'with the same Idempotency-Key records nothing new.',
        params,
        body: gradeBody,
        response: { 201: commandAnswerSchema },
      },
    },
    async (request, reply) => {
      const p = principal(request)
      const institution = request.params.institution
      const region = await institutionRegion(options, institution)
      assertScope(p, region)
      const b = request.body
      const supervision = await supervisionInputs(options, institution, b.period)
      const result = await handleCommand(options.store, gradeDecider, {
        stream: `oversight-grade-${institution}`,
        command: {
          ...b,
          inputs: { ...b.inputs, ...supervision.counts },
          institution,
          region,
          evidence: [...new Set([...b.evidence, ...supervision.evidence])],
        },
        meta: { occurredAt: options.clock().toISOString(), actor: actorOf(p), source, region },
        nextId: singleEventId(request),
      })
      return reply.code(201).send({ ids: result.ids, revision: result.append.revision })
    },
  )

  app.get(
    '/v1/oversight/institutions/:institution/grades',
    {
      config: { auth: { roles: ['investigator', 'subsidy_officer', 'auditor'] } },
      schema: {
        tags: ['oversight'],
        summary: 'An institution’s 诚信等级 history',
        operationId: 'getGradeHistory',
        description:
          'An investigator, a subsidy officer or an auditor of the institution’s region reads every grade recorded for ' +
          'it, oldest first, with the inputs and thresholds each was computed from, and the latest. 404 for an ' +
          'institution not on the registry.',
        params,
        response: { 200: historyAnswer },
      },
    },
    async (request) => {
      const institution = request.params.institution
      const region = await institutionRegion(options, institution)
      assertScope(principal(request), region)
      const grades = (await options.store.readStream(`oversight-grade-${institution}`)).flatMap((r) => {
        const e = decodeRecorded(r)
        if (e.type !== 'InstitutionGraded') return []
        const { grade, period, inputs, thresholds, evidence, note } = e.data
        return [{ id: e.id, occurredAt: e.occurredAt, grade, period, inputs, thresholds, evidence, note }]
      })
      return { institution, region, latest: grades.at(-1)?.grade ?? null, grades }
    },
  )
}
