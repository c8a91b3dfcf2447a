import { handleCommand } from '@trec/command'
import { dateSchema, entityIdSchema, pseudonymSchema, regionCodeSchema } from '@trec/contracts'
import { assertRegion, type Platform, principal } from '@trec/fastify-kit'
import { z } from 'zod'
import { subsidyDecider } from '../domain/claim-decider.ts'
import type { ResolvedOptions } from '../options.ts'
import { commandAnswer, metaFor, now, singleEventId } from './common.ts'

const contributionBody = z
  .strictObject({
    /** Where the worker is insured. */
    region: regionCodeSchema,
    /** Cumulative months of unemployment-insurance contributions. */
    months: z.int().min(0).max(1200),
    asOf: dateSchema,
    enterpriseEmployee: z.boolean(),
    /** The social-insurance system that answered, and its reference for the query. */
    source: z.strictObject({ system: entityIdSchema, ref: z.string().min(1).max(128) }),
  })
  .meta({ id: 'ContributionHistoryRequest' })

/**
 * POST /v1/workers/:worker/contribution-history (subsidy officer or finance, in the region): the
 * contribution months the social-insurance system reports, which the 技能提升补贴 rule (D2,
 * 「累计缴纳失业保险费12个月以上」) is judged on instead of the claim's word.
 */
export function contributionRoute(app: Platform, options: ResolvedOptions): void {
  app.post(
    '/v1/workers/:worker/contribution-history',
    {
      config: { auth: { roles: ['subsidy_officer', 'finance'] } },
      schema: {
        tags: ['subsidy'],
        summary: 'Attest a worker’s unemployment-insurance contribution months',
        operationId: 'attestContributionHistory',
        description:
          'A subsidy officer or finance of the region where the worker is insured records the contribution months the social-insurance system reports, and whether the worker is an enterprise employee; the 技能提升补贴 rule is judged on this instead of the claim’s word. Answers the events appended.',
        params: z.strictObject({ worker: pseudonymSchema }),
        body: contributionBody,
        response: { 201: commandAnswer },
      },
    },
    async (request, reply) => {
      const p = principal(request)
      const { region, ...attested } = request.body
      assertRegion(p, region)
      const { at, today } = now(options)
      const worker = request.params.worker
      const result = await handleCommand(options.store, subsidyDecider, {
        stream: `subsidy-${worker}`,
        command: { kind: 'attest', worker, today, ...attested },
        meta: metaFor(p, at, region),
        nextId: singleEventId(request),
      })
      return reply.code(201).send({ ids: result.ids, revision: result.append.revision })
    },
  )
}
