import { handleCommand } from '@trec/command'
import { entityIdSchema, eventIdSchema, noteSchema, positiveFenSchema } from '@trec/contracts'
import { assertRegion, commandEventIds, type Platform, principal } from '@trec/fastify-kit'
import { z } from 'zod'
import { ruleSetsFor } from '../app/rule-source.ts'
import type { SubsidyCommand } from '../domain/claim-commands.ts'
import { subsidyDecider } from '../domain/claim-decider.ts'
import { ruleSetByRef } from '../domain/rule-set.ts'
import type { ResolvedOptions } from '../options.ts'
import { claimParams, commandAnswer, forbidden, type LoadedClaim, loadClaim, metaFor, now } from './common.ts'

const reasons = z.array(noteSchema).max(50)

const reviewBody = z
  .strictObject({
    outcome: z.enum(['approved', 'rejected', 'returned']),
    /** Defaults to the amount claimed. */
    approvedAmount: positiveFenSchema.optional(),
    reasons: reasons.default([]),
    /**
     * A 第三方 reviewing on the authority's behalf (D0 「补贴资金审核」): the caller's token must
     * name the agency (its `institution` claim), which is recorded as the reviewer.
     */
    thirdParty: z.boolean().default(false),
  })
  .refine((b) => b.outcome === 'approved' || b.reasons.length > 0, {
    message: 'a rejection or return gives its reasons',
    path: ['reasons'],
  })
  .refine((b) => b.outcome === 'approved' || b.approvedAmount === undefined, {
    message: 'only an approval states an amount',
    path: ['approvedAmount'],
  })
  .meta({ id: 'ClaimReviewRequest' })

const decisionBody = z
  .strictObject({
    outcome: z.enum(['approved', 'rejected']),
    /** Defaults to the amount the last review approved. */
    approvedAmount: positiveFenSchema.optional(),
    reasons: reasons.default([]),
  })
  .refine((b) => b.outcome === 'approved' || b.reasons.length > 0, {
    message: 'a rejection gives its reasons',
    path: ['reasons'],
  })
  .refine((b) => b.outcome === 'approved' || b.approvedAmount === undefined, {
    message: 'only an approval states an amount',
    path: ['approvedAmount'],
  })
  .meta({ id: 'ClaimDecisionRequest' })

const clawbackBody = z
  .strictObject({
    reason: z.enum([
      'false_training',
      'fraudulent_claim',
      'duplicate_benefit',
      'certificate_revoked',
      'paid_in_error',
      'other',
    ]),
    /** Defaults to all that is paid and not yet recovered. */
    amount: positiveFenSchema.optional(),
    /** The oversight case that found it. */
    case: entityIdSchema.optional(),
    /** The events that show why (e.g. the CertificateRevoked). */
    evidence: z.array(eventIdSchema).max(10_000).default([]),
    note: noteSchema.optional(),
  })
  .meta({ id: 'ClawbackRequest' })

/** Runs a one-event command on the claim a path names, after checking the caller's region. */
async function onClaim(
  options: ResolvedOptions,
  request: Parameters<typeof principal>[0],
  id: string,
  command: SubsidyCommand | ((loaded: LoadedClaim, today: string) => Promise<SubsidyCommand>),
) {
  const p = principal(request)
  const loaded = await loadClaim(options, id)
  assertRegion(p, loaded.claim.submitted.region)
  const { at, today } = now(options)
  const result = await handleCommand(options.store, subsidyDecider, {
    stream: `subsidy-${loaded.worker}`,
    command: typeof command === 'function' ? await command(loaded, today) : command,
    meta: metaFor(p, at, loaded.claim.submitted.region, loaded.correlationId),
    // An approval under a rule set with 公示 appends two events (decided, published).
    nextId: commandEventIds(request),
  })
  return { ids: result.ids, revision: result.append.revision }
}

/** Review (reviewer), approval (subsidy officer) and clawback (subsidy officer) of a claim. */
export function claimStepRoutes(app: Platform, options: ResolvedOptions): void {
  app.post(
    '/v1/claims/:claim/reviews',
    {
      config: { auth: { roles: ['reviewer'] } },
      schema: {
        tags: ['subsidy'],
        summary: 'Review a claim (补贴资金审核), by the authority or a third party',
        operationId: 'reviewClaim',
        description:
          'A reviewer of the claim’s region approves (optionally for a lower amount, in fen), rejects or returns a submitted claim; a rejection or return gives its reasons. With `thirdParty`, the review is made by an agency on the authority’s behalf, and the token must name that agency. Answers the events appended.',
        params: claimParams,
        body: reviewBody,
        response: { 201: commandAnswer },
      },
    },
    async (request, reply) => {
      const p = principal(request)
      const { thirdParty, ...review } = request.body
      if (thirdParty && !p.institution)
        throw forbidden('a third-party review needs a token that names the agency')
      const reviewer = thirdParty
        ? { kind: 'third_party' as const, id: p.institution! }
        : { kind: 'authority' as const, id: p.subject }
      const answer = await onClaim(options, request, request.params.claim, {
        kind: 'review',
        claim: request.params.claim,
        reviewer,
        ...review,
      })
      return reply.code(201).send(answer)
    },
  )

  app.post(
    '/v1/claims/:claim/decision',
    {
      config: { auth: { roles: ['subsidy_officer'] } },
      schema: {
        tags: ['subsidy'],
        summary: 'Approve a reviewed claim for an amount, or reject it (审批)',
        operationId: 'decideClaim',
        description:
          'A subsidy officer of the claim’s region approves a reviewed claim for an amount in fen (by default the amount the last review approved), or rejects it with reasons. When the claim’s rule set asks for publication (`practice.publicationDays`, 公示), an approval also publishes the claim from today for those days (`ClaimPublished`); it is paid only after. Answers the events appended.',
        params: claimParams,
        body: decisionBody,
        response: { 201: commandAnswer },
      },
    },
    async (request, reply) => {
      const answer = await onClaim(options, request, request.params.claim, async (loaded, today) => {
        const s = loaded.claim.submitted
        const days =
          request.body.outcome === 'approved'
            ? ruleSetByRef(await ruleSetsFor(options, s.region), s.ruleSet)?.practice.publicationDays
            : undefined
        return {
          kind: 'decide',
          claim: request.params.claim,
          ...request.body,
          ...(days === undefined ? {} : { publication: { days, today } }),
        }
      })
      return reply.code(201).send(answer)
    },
  )

  app.post(
    '/v1/claims/:claim/clawback',
    {
      config: { auth: { roles: ['subsidy_officer'] } },
      schema: {
        tags: ['subsidy'],
        summary: 'Recover a paid subsidy (追回), with the reason and the evidence',
        operationId: 'clawBackClaim',
        description:
          'A subsidy officer of the claim’s region records that a paid subsidy is to be recovered: the reason, the amount in fen (by default all that is paid and not yet recovered), the oversight case and the events that show why. Answers the events appended.',
        params: claimParams,
        body: clawbackBody,
        response: { 201: commandAnswer },
      },
    },
    async (request, reply) => {
      const answer = await onClaim(options, request, request.params.claim, {
        kind: 'claw-back',
        claim: request.params.claim,
        ...request.body,
      })
      return reply.code(201).send(answer)
    },
  )
}
