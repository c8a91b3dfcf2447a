import { randomBytes } from 'node:crypto'
import { appendedBefore, reject } from '@trec/command'
import {
  dateSchema,
  decodeRecorded,
  type EventDataToAppend,
  entityIdSchema,
  regionCodeSchema,
  samplingRunIdSchema,
  sha256HexSchema,
  toEventToAppend,
} from '@trec/contracts'
import { commandEventIds, type Platform, principal } from '@trec/fastify-kit'
import { z } from 'zod'
import type { ResolvedOptions } from '../options.ts'
import { gradeSamplingWeights, weightedSample } from '../sampling/grade-weights.ts'
import { readPopulation } from '../sampling/population.ts'
import { recomputeSample, samplingAlgorithm } from '../sampling/recompute-sample.ts'
import { actorOf, assertScope, notFound, source } from './common.ts'

const runBody = z
  .strictObject({
    population: z.strictObject({
      kind: z.enum(['institutions', 'classes']),
      region: regionCodeSchema,
      from: dateSchema,
      to: dateSchema,
    }),
    size: z.int().min(1).max(20_000),
    /** 32 bytes in hex; drawn from the system's CSPRNG when absent. Either way it is recorded. */
    seed: sha256HexSchema.optional(),
    /** The second 随机: inspectors drawn for each target from this pool. */
    inspectors: z
      .strictObject({
        pool: z.array(entityIdSchema).min(1).max(1000),
        perTarget: z.int().min(1).max(10).default(2),
      })
      .optional(),
    /** Weight institutions by their latest 诚信等级 (A 1, B 2, C 4, D 8, ungraded 2): sha256-ctr-weighted-v1. */
    weighByGrade: z.boolean().default(false),
  })
  .refine((b) => b.population.from <= b.population.to, {
    message: 'from is after to',
    path: ['population', 'to'],
  })
  .meta({
    id: 'DrawSampleRequest',
    description:
      'The population to sample (institutions or classes of a region, active in a period), how many to draw, an optional seed, an optional inspector pool, and whether to weight institutions by their latest 诚信等级.',
  })

const population = z.object({
  kind: z.enum(['institutions', 'classes']),
  region: z.string(),
  from: z.string(),
  to: z.string(),
})
const assignments = z.array(z.object({ target: z.string(), inspectors: z.array(z.string()) }))

const drawExample = {
  run: 'sampling-0191b7a4-c2f0-7e3a-9d51-f0a2b3c4d5e6',
  ids: ['0191b7a4-c2f0-7e3a-9d51-f0a2b3c4d5e6'],
  revision: 0,
  seed: '9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08',
  algorithm: 'sha256-ctr-fisher-yates-v1',
  asOfPosition: '1024',
  populationSize: 37,
  populationDigest: '2c26b46b68ffc68ff99b453c1d30413413422d706483bfa0f98a5e886266e7ae',
  selected: ['inst-130102-0001', 'inst-130102-0007'],
  assignments: [
    { target: 'inst-130102-0001', inspectors: ['insp-3', 'insp-9'] },
    { target: 'inst-130102-0007', inspectors: ['insp-1', 'insp-3'] },
  ],
}

const drawAnswer = z
  .object({
    run: z.string().describe('The sampling run’s id.'),
    ids: z.array(z.string()).describe('The InspectionSampleSelected event that records the draw.'),
    revision: z.int(),
    seed: z.string().describe('The seed the draw used (32 bytes, hex), recorded.'),
    algorithm: z.string(),
    asOfPosition: z.string().describe('The feed position the population was read at.'),
    populationSize: z.int(),
    populationDigest: z.string().describe('SHA-256 (hex) of the population’s ids joined by newlines.'),
    selected: z.array(z.string()).describe('The drawn targets, in draw order.'),
    assignments: assignments
      .nullable()
      .describe('The inspectors drawn for each target, when a pool was given.'),
  })
  .meta({ id: 'SampleDraw', description: 'A sampling run as drawn and recorded.', example: drawExample })

const runAnswer = z
  .object({
    run: z.string(),
    population,
    asOfPosition: z.string(),
    populationIds: z.array(z.string()).describe('The population’s ids, sorted, without repeats.'),
    populationDigest: z.string(),
    size: z.int(),
    seed: z.string(),
    algorithm: z.string(),
    selected: z.array(z.string()),
    inspectors: z
      .object({ pool: z.array(z.string()), perTarget: z.int(), assignments })
      .optional()
      .describe('The inspector pool, how many per target, and who was drawn for each.'),
    weighting: z
      .object({ weights: z.record(z.string(), z.int()), grades: z.record(z.string(), z.string()) })
      .optional()
      .describe(
        'For a draw weighted by 诚信等级: the weight of each grade and the graded members’ grades when drawn.',
      ),
    drawnAt: z.string(),
    drawnBy: z.object({ kind: z.string(), id: z.string(), institution: z.string().optional() }),
    event: z.string().describe('The InspectionSampleSelected event.'),
    verification: z
      .object({
        populationDigestMatches: z.boolean(),
        selectionMatches: z.boolean(),
        assignmentsMatch: z.boolean(),
      })
      .describe('Whether drawing again from the recorded seed and population gives the recorded result.'),
  })
  .meta({
    id: 'SamplingRun',
    description:
      'A sampling run as recorded, with the check that it re-derives from its seed and population.',
    example: {
      run: drawExample.run,
      population: { kind: 'institutions', region: '130102', from: '2026-01-01', to: '2026-03-31' },
      asOfPosition: drawExample.asOfPosition,
      populationIds: ['inst-130102-0001', 'inst-130102-0002', 'inst-130102-0007'],
      populationDigest: drawExample.populationDigest,
      size: 2,
      seed: drawExample.seed,
      algorithm: drawExample.algorithm,
      selected: drawExample.selected,
      inspectors: {
        pool: ['insp-1', 'insp-3', 'insp-9'],
        perTarget: 2,
        assignments: drawExample.assignments,
      },
      drawnAt: '2026-03-02T08:00:00.000Z',
      drawnBy: { kind: 'investigator', id: 'inv-7' },
      event: drawExample.ids[0],
      verification: { populationDigestMatches: true, selectionMatches: true, assignmentsMatch: true },
    },
  })

type SampleData = EventDataToAppend<'InspectionSampleSelected'>

const weightedAlgorithm = 'sha256-ctr-weighted-v1' as const

/** The latest 诚信等级 of each graded member of the population, and the weights, as the draw records them. */
async function latestGrades(options: ResolvedOptions, ids: readonly string[]) {
  const rows = await options.db.query<{ institution: string; grade: 'A' | 'B' | 'C' | 'D' }>(
    `select institution, grade from ${options.readSide.supervision.table('grades')} where institution = any($1::text[])`,
    [ids],
  )
  return {
    weights: { ...gradeSamplingWeights },
    grades: Object.fromEntries(rows.map((r) => [r.institution, r.grade])),
  }
}

/** The answer to a sampling request, from the event that records the run. */
function answerOf(data: SampleData, id: string, revision: number) {
  return {
    run: data.run,
    ids: [id],
    revision,
    seed: data.seed,
    algorithm: data.algorithm,
    asOfPosition: data.asOfPosition,
    populationSize: data.populationIds.length,
    populationDigest: data.populationDigest,
    selected: data.selected,
    assignments: data.inspectors?.assignments ?? null,
  }
}

/** 双随机 sampling runs: drawn, recorded, and re-derivable by anyone from the recorded inputs. */
export function samplingRoutes(app: Platform, options: ResolvedOptions): void {
  app.post(
    '/v1/oversight/sampling-runs',
    {
      config: { auth: { roles: ['investigator', 'subsidy_officer'] } },
      schema: {
        tags: ['oversight'],
        summary: 'Draw a 双随机 sample of institutions or classes and record the draw',
        operationId: 'drawSample',
        description:
          'An investigator or a subsidy officer of the region draws a 双随机 sample: `size` institutions or classes ' +
          'of the population (those of the region active in the period), from `seed` or one drawn here, and, with a ' +
          'pool, inspectors for each target. With `weighByGrade` an institution is drawn with a chance weighted by its ' +
          'latest 诚信等级 (A 1, B 2, C 4, D 8, ungraded 2; the weights are not in the seeds), algorithm ' +
          '`sha256-ctr-weighted-v1`, and the grades and weights are recorded with the draw (422 `weighting-kind` for classes). The draw is recorded with its population, seed and algorithm, so anyone ' +
          'can re-derive it. A population above the deployment’s limit is refused with 422. A retry with the same ' +
          'Idempotency-Key answers the run already drawn.',
        body: runBody,
        response: { 201: drawAnswer },
      },
    },
    async (request, reply) => {
      const p = principal(request)
      const b = request.body
      assertScope(p, b.population.region)
      const nextId = commandEventIds(request)
      const eventId = nextId()
      const run = `sampling-${eventId}`
      // A resumed retry whose first attempt recorded the run answers with that run (its seed, when
      // drawn here, was random: deciding again would select another sample), whatever the
      // population has become since.
      const [prior] = (nextId.resumed && (await appendedBefore(options.store, () => eventId))) || []
      if (prior?.type === 'InspectionSampleSelected')
        return reply.code(201).send(answerOf(prior.data as SampleData, prior.id, prior.revision))
      const { ids, asOfPosition } = await readPopulation(options.db, options.readSide.registry, b.population)
      if (ids.length > options.maxPopulation)
        reject({
          rule: 'population-size',
          message: `the population has ${ids.length} members, above ${options.maxPopulation}: narrow the region or the period`,
        })
      const seed = b.seed ?? randomBytes(32).toString('hex')
      const inspectors = b.inspectors
        ? { pool: b.inspectors.pool, perTarget: b.inspectors.perTarget }
        : undefined
      if (b.weighByGrade && b.population.kind !== 'institutions')
        reject({ rule: 'weighting-kind', message: 'a draw weighted by 诚信等级 samples institutions' })
      const weighting = b.weighByGrade ? await latestGrades(options, ids) : undefined
      const sample = weighting
        ? weightedSample(
            seed,
            ids,
            b.size,
            new Map(Object.entries(weighting.grades)),
            weighting.weights,
            inspectors,
          )
        : recomputeSample(seed, ids, b.size, inspectors)
      const event = toEventToAppend(
        {
          type: 'InspectionSampleSelected',
          data: {
            run,
            population: b.population,
            asOfPosition,
            populationIds: sample.populationIds,
            populationDigest: sample.populationDigest,
            size: b.size,
            seed,
            algorithm: weighting ? weightedAlgorithm : samplingAlgorithm,
            selected: sample.selected,
            ...(weighting ? { weighting } : {}),
            ...(inspectors
              ? {
                  inspectors: {
                    pool: [...new Set(inspectors.pool)].sort(),
                    perTarget: inspectors.perTarget,
                    assignments: sample.assignments!,
                  },
                }
              : {}),
          },
        },
        {
          id: eventId,
          occurredAt: options.clock().toISOString(),
          actor: actorOf(p),
          source,
          region: b.population.region,
        },
      )
      const result = await options.store.append(`oversight-${run}`, [event], {
        expectedRevision: 'no_stream',
      })
      return reply.code(201).send(answerOf(event.data as SampleData, event.id, result.revision))
    },
  )

  app.get(
    '/v1/oversight/sampling-runs/:run',
    {
      config: { auth: { roles: ['investigator', 'subsidy_officer', 'auditor'] } },
      schema: {
        tags: ['oversight'],
        summary: 'A sampling run as recorded, re-derived from its seed and population',
        operationId: 'getSamplingRun',
        description:
          'An investigator, a subsidy officer or an auditor of the region reads a sampling run as recorded, and ' +
          'whether drawing again from its seed and population gives the same targets and inspectors. 404 for a run ' +
          'not on the record.',
        response: { 200: runAnswer },
        params: z.strictObject({ run: samplingRunIdSchema }),
      },
    },
    async (request) => {
      const [recorded] = await options.store.readStream(`oversight-${request.params.run}`, { maxCount: 1 })
      if (!recorded) throw notFound('sampling run')
      const e = decodeRecorded(recorded)
      if (e.type !== 'InspectionSampleSelected') throw notFound('sampling run')
      const d = e.data
      assertScope(principal(request), d.population.region)
      const pool = d.inspectors ? { pool: d.inspectors.pool, perTarget: d.inspectors.perTarget } : undefined
      const again = d.weighting
        ? weightedSample(
            d.seed,
            d.populationIds,
            d.size,
            new Map(Object.entries(d.weighting.grades)),
            d.weighting.weights,
            pool,
          )
        : recomputeSample(d.seed, d.populationIds, d.size, pool)
      return {
        ...d,
        drawnAt: e.occurredAt,
        drawnBy: e.actor,
        event: e.id,
        verification: {
          populationDigestMatches: again.populationDigest === d.populationDigest,
          selectionMatches: JSON.stringify(again.selected) === JSON.stringify(d.selected),
          assignmentsMatch:
            JSON.stringify(again.assignments ?? null) === JSON.stringify(d.inspectors?.assignments ?? null),
        },
      }
    },
  )
}
