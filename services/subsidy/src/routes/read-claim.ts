import { loadState } from '@trec/command'
import { assertRegion, type Platform, principal, readerOf } from '@trec/fastify-kit'
import { z } from 'zod'
import { advanceDecider } from '../domain/advance-decider.ts'
import type { ClaimState } from '../domain/claim-state.ts'
import type { ResolvedOptions } from '../options.ts'
import { claimParams, exampleClaim, loadClaim, ruleSetRef, source } from './common.ts'

const fen = z.int().describe('Fen.')
const party = z.object({ kind: z.string(), id: z.string() })
/** The steps of a claim as their events have them (less the claim and worker); more fields may follow. */
const step = {
  outcome: z.string().optional(),
  approvedAmount: fen.optional(),
  reasons: z.array(z.string()).optional(),
  ruleSet: ruleSetRef.optional(),
}

const claimView = z
  .object({
    claim: z.string(),
    worker: z.string().describe('The worker’s pseudonym.'),
    region: z.string().describe('The 行政区划代码 of the authority the claim was made to.'),
    kind: z.string().describe('The subsidy kind.'),
    payee: party.describe('Who is paid: the worker, or a provider or enterprise by id.'),
    status: z.enum(['submitted', 'approved', 'rejected', 'paid', 'clawed_back']),
    claimedOn: z.string(),
    class: z.string().nullable(),
    certificate: z.string().nullable(),
    occupationCode: z.string().nullable(),
    level: z.int().nullable(),
    ruleSet: ruleSetRef.describe('The rule set the claim was judged by, and its payment too.'),
    amounts: z.object({
      claimed: fen,
      approved: fen.nullable(),
      paid: fen.nullable(),
      advanceApplied: fen.nullable().describe('The part of the payment the class’s advance had paid.'),
      clawedBack: fen,
    }),
    reviews: z.array(z.looseObject({ ...step, reviewer: party.optional() })),
    decision: z.looseObject(step).nullable(),
    payment: z
      .looseObject({
        amount: fen.optional(),
        payee: party.optional(),
        evidence: z.array(z.string()).optional().describe('The events the payment was decided on.'),
        ruleSet: ruleSetRef.optional(),
        fundSource: z.string().optional(),
        paymentRef: z.string().optional(),
        accountKind: z
          .enum(['ssc_card', 'bank_card'])
          .optional()
          .describe('The kind of account paid, never the number.'),
      })
      .nullable(),
    clawbacks: z.array(
      z.looseObject({
        amount: fen.optional(),
        reason: z.string().optional(),
        case: z.string().optional(),
        evidence: z.array(z.string()).optional(),
        note: z.string().optional(),
      }),
    ),
  })
  // The example names each `{ id }` object once (the steps' rule set and payee are those above):
  // Redocly's example check reads a repeated `id` in one example as a schema id given twice.
  .meta({
    id: 'Claim',
    description:
      'A subsidy claim: where it stands, its amounts in fen, its reviews, decision, payment and recoveries, and the rule set it was judged by. The account paid is shown only by its kind.',
    example: {
      claim: exampleClaim,
      worker: '5f2c0e1a9b7d4c3e8f6a2b1c0d9e8f7a',
      region: '130102',
      kind: 'training',
      payee: { kind: 'provider', id: 'inst-130100-0001' },
      status: 'paid',
      claimedOn: '2026-03-02',
      class: 'cls-130100-0001-2026-01',
      certificate: 'cert-0001',
      occupationCode: '4-10-01-02',
      level: 4,
      ruleSet: { id: 'hebei-2026', version: 1 },
      amounts: { claimed: 150000, approved: 150000, paid: 150000, advanceApplied: 75000, clawedBack: 0 },
      reviews: [
        {
          reviewer: { kind: 'authority', id: 'reviewer-1301-01' },
          outcome: 'approved',
          approvedAmount: 150000,
          reasons: [],
        },
      ],
      decision: { outcome: 'approved', approvedAmount: 150000, reasons: [] },
      payment: {
        amount: 150000,
        evidence: ['01936f4e-7c1a-7b3e-9d2f-5a6b7c8d9e0f'],
        paymentRef: 'FIN-2026-000123',
      },
      clawbacks: [],
    },
  })

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
        operationId: 'getClaim',
        description:
          'Subsidy officers, finance and reviewers of the claim’s region, and investigators (of their region when the token names one), read a claim: its status, amounts in fen, reviews, decision, payment with the evidence it cited, recoveries, and the rule set it was judged by. Every read is recorded in the worker’s access log.',
        params: claimParams,
        response: { 200: claimView },
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
