import { handleCommand } from '@trec/command'
import {
  commandAnswerWith,
  entityIdSchema,
  payeeSchema,
  positiveFenSchema,
  pseudonymSchema,
  regionCodeSchema,
  subsidyKindSchema,
} from '@trec/contracts'
import { assertInstitution, assertRegion, type Platform, principal } from '@trec/fastify-kit'
import { z } from 'zod'
import { readClaimEvidence } from '../app/read-evidence.ts'
import { ruleSetsFor } from '../app/rule-source.ts'
import { subsidyDecider } from '../domain/claim-decider.ts'
import { ruleSetInForce } from '../domain/rule-set.ts'
import type { ResolvedOptions } from '../options.ts'
import { exampleClaim, forbidden, metaFor, now, singleEventId } from './common.ts'

const submitBody = z
  .strictObject({
    worker: pseudonymSchema,
    /** The 行政区划代码 of the authority the claim is made to. */
    region: regionCodeSchema,
    kind: subsidyKindSchema,
    payee: payeeSchema,
    /** In fen. */
    amount: positiveFenSchema,
    class: entityIdSchema.optional(),
    certificate: entityIdSchema.optional(),
  })
  .refine((b) => b.payee.kind !== 'worker' || b.payee.id === b.worker, {
    message: 'a worker payee must be the worker the claim is for',
    path: ['payee', 'id'],
  })
  .meta({ id: 'SubmitClaimRequest' })

const claimAnswer = commandAnswerWith(
  'ClaimAnswer',
  'claim',
  exampleClaim,
  'The id of the claim submitted (clm-<worker>-<n>).',
)

/**
 * POST /v1/claims: a provider or enterprise claims for a worker it trained (institution staff,
 * for their own institution), or an officer claims on a worker's behalf (to be paid to the
 * worker's card, 持卡领补). The gate runs now, so a claim without its record fails at once.
 */
export function submitClaimRoute(app: Platform, options: ResolvedOptions): void {
  app.post(
    '/v1/claims',
    {
      config: { auth: { roles: ['institution_staff', 'subsidy_officer'] } },
      schema: {
        tags: ['subsidy'],
        summary: 'Submit a subsidy claim (judged against the record at once)',
        operationId: 'submitClaim',
        description:
          'Institution staff claim for a worker their institution trained (paid to the institution), or a subsidy officer of the region claims on a worker’s behalf (paid to the worker’s card, 持卡领补). The claim is judged at once against the rule set in force today and the worker’s record, so a claim the record does not back is refused (422, naming the rule). Amounts are in fen. Answers the claim id.',
        body: submitBody,
        response: { 201: claimAnswer },
      },
    },
    async (request, reply) => {
      const p = principal(request)
      const body = request.body
      if (p.role === 'institution_staff') {
        if (body.payee.kind === 'worker')
          throw forbidden('institution staff claim only for their institution')
        assertInstitution(p, body.payee.id)
      } else {
        if (body.payee.kind !== 'worker') throw forbidden('officers claim only on a worker’s behalf')
        assertRegion(p, body.region)
      }
      const { at, today } = now(options)
      const evidence = await readClaimEvidence(options.store, {
        worker: body.worker,
        class: body.class,
        institution: body.payee.kind === 'worker' ? undefined : body.payee.id,
      })
      const nextId = singleEventId(request)
      const correlationId = nextId()
      const result = await handleCommand(options.store, subsidyDecider, {
        stream: `subsidy-${body.worker}`,
        command: {
          kind: 'submit',
          worker: body.worker,
          region: body.region,
          subsidy: body.kind,
          payee: body.payee,
          amount: body.amount,
          class: body.class,
          certificate: body.certificate,
          today,
          rules: ruleSetInForce(await ruleSetsFor(options, body.region), body.region, today),
          evidence,
        },
        meta: metaFor(p, at, body.region, correlationId),
        nextId,
      })
      const [submitted] = result.events
      const claim = submitted?.type === 'SubsidyClaimSubmitted' ? submitted.data.claim : ''
      return reply.code(201).send({ ids: result.ids, revision: result.append.revision, claim })
    },
  )
}
