import { sealedValueSchema } from '@trec/contracts'
import { TrecError } from '@trec/core'
import { assertRegion, commandEventIds, type Platform, principal } from '@trec/fastify-kit'
import { z } from 'zod'
import { payClaim } from '../app/pay-claim.ts'
import { readClaimEvidence } from '../app/read-evidence.ts'
import { ruleSetsFor } from '../app/rule-source.ts'
import { ruleSetByRef } from '../domain/rule-set.ts'
import type { ResolvedOptions } from '../options.ts'
import { claimParams, commandAnswer, loadClaim, metaFor, now } from './common.ts'

const paymentBody = z.strictObject({
  /** The finance system's reference for the transfer. */
  paymentRef: z.string().min(1).max(128),
  fundSource: z
    .enum(['employment_subsidy_fund', 'unemployment_insurance_fund', 'skills_upgrade_account'])
    .optional(),
  /**
   * For a worker: the financial account of the social-security card (持卡领补, D3) or a bank
   * card, sealed under the worker's data key by the finance system before it is sent.
   */
  account: z
    .strictObject({ kind: z.enum(['ssc_card', 'bank_card']), bankAccount: sealedValueSchema })
    .optional(),
})

/**
 * The account a subsidy is paid to must be this worker's: sealed under the worker's own data key
 * at the path `account.bankAccount`. A value sealed for another worker, or anything that does not
 * open (plain base64, a forged kid), is refused 400 naming the field, and nothing is written.
 */
async function assertAccountOpens(options: ResolvedOptions, worker: string, sealed: unknown): Promise<void> {
  try {
    await options.keyRing.open(sealed, 'account.bankAccount', worker)
  } catch (cause) {
    throw new TrecError('TREC_VALIDATION', 'the account is not sealed under this worker’s key', {
      issues: [
        {
          path: ['body', 'account', 'bankAccount'],
          code: 'not_this_worker',
          message: 'seal the account under the worker’s data key (field account.bankAccount)',
        },
      ],
      cause,
    })
  }
}

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
        params: claimParams,
        body: paymentBody,
        response: {
          201: commandAnswer.extend({
            amount: z.int(),
            /** The part of the amount the class's advance already paid; the transfer is the rest. */
            advanceApplied: z.int(),
          }),
        },
      },
    },
    async (request, reply) => {
      const p = principal(request)
      const loaded = await loadClaim(options, request.params.claim)
      const s = loaded.claim.submitted
      assertRegion(p, s.region)
      if (request.body.account)
        await assertAccountOpens(options, loaded.worker, request.body.account.bankAccount)
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
          ...request.body,
        },
        metaFor(p, at, s.region, loaded.correlationId),
        commandEventIds(request),
      )
      return reply.code(201).send(result)
    },
  )
}
