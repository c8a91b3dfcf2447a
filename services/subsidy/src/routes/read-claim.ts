import { loadState } from '@trec/command'
import { assertRegion, type Platform, principal, readerOf } from '@trec/fastify-kit'
import { advanceDecider } from '../domain/advance-decider.ts'
import type { ClaimState } from '../domain/claim-state.ts'
import type { ResolvedOptions } from '../options.ts'
import { claimParams, loadClaim, source } from './common.ts'

/** What a reader is told of a claim: where it stands, the amounts, and what it was decided on. */
function view(claim: ClaimState, advanceApplied: number | undefined) {
  const s = claim.submitted
  const paid = claim.payment?.amount
  return {
    claim: s.claim,
    worker: s.worker,
    region: s.region,
    kind: s.kind,
    payee: s.payee,
    status: claim.status,
    claimedOn: s.claimedOn,
    class: s.class ?? null,
    certificate: s.certificate ?? null,
    occupationCode: s.occupationCode ?? null,
    level: s.level ?? null,
    /** The rule set the claim was judged by, and its payment too. */
    ruleSet: s.ruleSet,
    amounts: {
      claimed: s.amount,
      approved: claim.decision?.approvedAmount ?? null,
      paid: paid ?? null,
      advanceApplied: advanceApplied ?? null,
      clawedBack: claim.clawedBack,
    },
    reviews: claim.reviews,
    decision: claim.decision ?? null,
    // The sealed account itself stays in the record; a reader sees only its kind.
    payment: claim.payment ?? null,
    clawbacks: claim.clawbacks,
  }
}

/**
 * GET /v1/claims/:claim: officers, finance and reviewers of the region, investigators (of their
 * region when the token names one). Every read is an access event of the claim's worker.
 */
export function readClaimRoute(app: Platform, options: ResolvedOptions): void {
  app.get(
    '/v1/claims/:claim',
    {
      config: { auth: { roles: ['subsidy_officer', 'finance', 'reviewer', 'investigator'] } },
      schema: {
        tags: ['subsidy'],
        summary: 'A claim: status, amounts, the evidence and rule set it was paid on',
        params: claimParams,
      },
    },
    async (request) => {
      const loaded = await loadClaim(options, request.params.claim)
      const s = loaded.claim.submitted
      const p = principal(request)
      assertRegion(p, s.region)
      let advanceApplied: number | undefined
      if (s.payee.kind !== 'worker' && s.class !== undefined && loaded.claim.payment) {
        const { state } = await loadState(options.store, `advance-${s.class}`, advanceDecider)
        advanceApplied = state.applied[s.claim] ?? 0
      }
      await options.accessLog.recordRead(
        readerOf(p, String(request.id)),
        { worker: s.worker, view: 'claim' },
        { at: options.clock(), source, region: s.region },
      )
      return view(loaded.claim, advanceApplied)
    },
  )
}
