import { handleCommand } from '@trec/command'
import { entityIdSchema, positiveFenSchema, subsidyKindSchema } from '@trec/contracts'
import { TrecError } from '@trec/core'
import { assertRegion, type Platform, principal } from '@trec/fastify-kit'
import { z } from 'zod'
import { readClassEvidence } from '../app/read-evidence.ts'
import { ruleSetsFor } from '../app/rule-source.ts'
import { advanceDecider } from '../domain/advance-decider.ts'
import { lastFact } from '../domain/facts.ts'
import { ruleSetInForce } from '../domain/rule-set.ts'
import type { ResolvedOptions } from '../options.ts'
import { commandAnswer, metaFor, now, singleEventId } from './common.ts'

const advanceBody = z
  .strictObject({
    /** The subsidy the class is expected to earn in full, in fen. */
    subsidyTotal: positiveFenSchema,
    /** The share advanced; defaults to the city's share in the rule set (D3: at least one half). */
    share: z.number().min(0).max(1).optional(),
    /**
     * The kind advanced: `training` by default; `project_training` to its provider, `apprenticeship`
     * to the enterprise (its yearly amount per apprentice).
     */
    kind: subsidyKindSchema.optional(),
    paymentRef: z.string().min(1).max(128),
  })
  .meta({ id: 'ClassAdvanceRequest' })

/**
 * POST /v1/classes/:class/advances (finance, in the class's region): advances part of a class's
 * training subsidy to its provider (先行拨付, D3), judged by the rule set in force today.
 */
export function advanceRoute(app: Platform, options: ResolvedOptions): void {
  app.post(
    '/v1/classes/:class/advances',
    {
      config: { auth: { roles: ['finance'] } },
      schema: {
        tags: ['subsidy'],
        summary: 'Advance part of a class’s subsidy to its provider or enterprise (先行拨付)',
        operationId: 'advanceClassSubsidy',
        description:
          'Finance of the class’s region advances a share (by default the city’s share in the rule set in force today, at least one half) of the subsidy a class is expected to earn to its provider, or, for an apprenticeship class (`kind: apprenticeship`), to its enterprise, once the class is on the record. The kind is the training subsidy unless named. Later payments for the class are settled against the advance. Amounts are in fen. Answers the events appended.',
        params: z.strictObject({ class: entityIdSchema }),
        body: advanceBody,
        response: { 201: commandAnswer },
      },
    },
    async (request, reply) => {
      const p = principal(request)
      const cls = request.params.class
      const evidence = await readClassEvidence(options.store, cls)
      const applied = lastFact(evidence, 'ClassOpeningApplied', (c) => c.class === cls)
      if (!applied) throw new TrecError('TREC_NOT_FOUND', `no class ${cls}`, { details: { class: cls } })
      const region = applied.data.region
      assertRegion(p, region)
      const { at, today } = now(options)
      const result = await handleCommand(options.store, advanceDecider, {
        stream: `advance-${cls}`,
        command: {
          kind: 'advance',
          class: cls,
          today,
          rules: ruleSetInForce(await ruleSetsFor(options, region), region, today),
          evidence,
          subsidyTotal: request.body.subsidyTotal,
          share: request.body.share,
          subsidy: request.body.kind,
          paymentRef: request.body.paymentRef,
        },
        meta: metaFor(p, at, region),
        nextId: singleEventId(request),
      })
      return reply.code(201).send({ ids: result.ids, revision: result.append.revision })
    },
  )
}
