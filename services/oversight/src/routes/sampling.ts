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
  })
  .refine((b) => b.population.from <= b.population.to, {
    message: 'from is after to',
    path: ['population', 'to'],
  })

type SampleData = EventDataToAppend<'InspectionSampleSelected'>

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
        body: runBody,
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
      const sample = recomputeSample(seed, ids, b.size, inspectors)
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
            algorithm: samplingAlgorithm,
            selected: sample.selected,
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
      const again = recomputeSample(
        d.seed,
        d.populationIds,
        d.size,
        d.inspectors ? { pool: d.inspectors.pool, perTarget: d.inspectors.perTarget } : undefined,
      )
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
