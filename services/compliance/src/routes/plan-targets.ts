import { decodeRecorded, planTargetBodySchema } from '@trec/contracts'
import { assertRegion, commandEventIds, type Platform, principal } from '@trec/fastify-kit'
import type { PlanTarget } from '@trec/readmodels'
import type { ResolvedOptions } from '../options.ts'
import { answer, append, meta } from './employment.ts'

// Plan targets as events (D0 专栏1: 开展补贴性职业技能培训（人次）): an officer of a region sets the
// region's target for a year; setting it again replaces it, and the log keeps every figure set.
// The targets of one province-level division are one stream, `plan-{province}`.

const planTargetBody = planTargetBodySchema.meta({ id: 'PlanTargetRequest' })

const planStream = (province: string) => `plan-${province}`

/** Every yearly target published for the province of `region`, in the order set (the last one stands). */
export async function publishedTargets(options: ResolvedOptions, region: string): Promise<PlanTarget[]> {
  const events = await options.store.readStream(planStream(region.slice(0, 2)))
  return events.flatMap((recorded) => {
    const e = decodeRecorded(recorded)
    if (e.type !== 'PlanTargetPublished') return []
    const { region: r, year, personTimes, byGroup, source } = e.data
    return [{ region: r, year, personTimes, ...(byGroup ? { byGroup } : {}), source }]
  })
}

/**
 * POST /v1/plan-targets (subsidy_officer, in the region named): a region's yearly target of
 * subsidised trainings, by group where the plan names them. `GET /v1/compliance/plan-progress
 * ?region=&year=` sets the trainings against it.
 */
export function planTargetRoutes(app: Platform, options: ResolvedOptions): void {
  app.post(
    '/v1/plan-targets',
    {
      config: { auth: { roles: ['subsidy_officer'] } },
      schema: {
        tags: ['compliance'],
        summary: 'Set a region’s yearly target of subsidised trainings (补贴性培训人次)',
        operationId: 'setPlanTarget',
        description:
          'An officer of the region sets its target for a calendar year: person-times, one per completed subsidised training, and of which by population group. Setting it again replaces it; every figure set stays in the log (PlanTargetPublished in plan-{province}).',
        body: planTargetBody,
        response: { 201: answer },
      },
    },
    async (request, reply) => {
      const p = principal(request)
      const body = request.body
      assertRegion(p, body.region)
      const ids = commandEventIds(request)
      const data = { province: body.region.slice(0, 2), ...body }
      const result = await append(
        options,
        { type: 'PlanTargetPublished', data },
        meta(p, body.region.padEnd(6, '0'), options.clock().toISOString(), ids()),
        ids.resumed,
      )
      return reply.code(201).send(result)
    },
  )
}
