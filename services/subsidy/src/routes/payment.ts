import { sealedValueSchema } from '@trec/contracts'
import { assertRegion, commandEventIds, type Platform, principal } from '@trec/fastify-kit'
import { z } from 'zod'
import { offeredAccount } from '../app/card-account.ts'
import { payClaim } from '../app/pay-claim.ts'
import { readClaimEvidence } from '../app/read-evidence.ts'
import { ruleSetsFor } from '../app/rule-source.ts'
import { ruleSetByRef } from '../domain/rule-set.ts'
import type { ResolvedOptions } from '../options.ts'
import { claimParams, commandAnswer, loadClaim, metaFor, now } from './common.ts'

const paymentBody = z
  .strictObject({
    /** The finance system's reference for the transfer. */
    paymentRef: z.string().min(1).max(128),
    fundSource: z
      .enum(['employment_subsidy_fund', 'unemployment_insurance_fund', 'skills_upgrade_account'])
      .optional(),
    /**
     * For a worker, optional: an account finance expects to pay, sealed under the worker's data key.
     * The payment goes to the account of the worker's social-security card as the card service
     * registered it (持卡领补, D3); an account that is not that one is refused (422 card-account).
     */
    account: z
      .strictObject({ kind: z.enum(['ssc_card', 'bank_card']), bankAccount: sealedValueSchema })
      .optional(),
  })
  .meta({ id: 'ClaimPaymentRequest' })

const paymentAnswer = commandAnswer
  .extend({
    amount: z.int().describe('The subsidy the payment settles, in fen.'),
    advanceApplied: z
      .int()
      .describe('The part of the amount the class’s advance already paid, in fen; the transfer is the rest.'),
  })
  .meta({
    id: 'ClaimPaymentAnswer',
    description:
      'The events the payment appended, the revision of the worker’s subsidy stream, and the amounts.',
    example: {
      ids: ['01936f4e-7c1a-7b3e-9d2f-5a6b7c8d9e0f'],
      revision: 4,
      amount: 150000,
      advanceApplied: 75000,
    },
  })

/**
 * POST /v1/claims/:claim/payment (finance, in the claim's region): pays an approved claim if,
 * and only if, the record holds its evidence now, judged by the rule set the claim was made
 * under. A provider's payment for a class with an advance is settled against it.
 */
export function paymentRoute(app: Platform, options: ResolvedOptions): void {
  app.post(
    '/v1/claims/:claim/payment',
    {
      config: { auth: { roles: ['finance'] } },
      schema: {
        tags: ['subsidy'],
        summary: 'Pay an approved claim through the 不进不补 gate',
        operationId: 'payClaim',
        description:
          'Finance of the claim’s region pays an approved claim if, and only if, the record holds its evidence now, judged by the rule set the claim was made under (422 naming the rule otherwise). A worker is paid only to the account of their social-security card as the card service registered it. A provider’s payment for a class with an advance is settled against it. Answers the amount and the part the advance already paid, in fen.',
        params: claimParams,
        body: paymentBody,
        response: { 201: paymentAnswer },
      },
    },
    async (request, reply) => {
      const p = principal(request)
      const loaded = await loadClaim(options, request.params.claim)
      const s = loaded.claim.submitted
      assertRegion(p, s.region)
      const { account, ...body } = request.body
      const offered = await offeredAccount(options.keyRing, loaded.worker, account, loaded.state.cardAccount)
      const { at, today } = now(options)
      const evidence = await readClaimEvidence(options.store, {
        worker: loaded.worker,
        class: s.class,
        institution: s.payee.kind === 'worker' ? undefined : s.payee.id,
      })
      const result = await payClaim(
        options.store,
        loaded.worker,
        {
          kind: 'pay',
          claim: s.claim,
          today,
          rules: ruleSetByRef(await ruleSetsFor(options, s.region), s.ruleSet),
          evidence,
          offered,
          ...body,
        },
        metaFor(p, at, s.region, loaded.correlationId),
        commandEventIds(request),
      )
      return reply.code(201).send(result)
    },
  )
}
