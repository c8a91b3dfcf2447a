import { createHash } from 'node:crypto'
import { handleCommand, loadState } from '@trec/command'
import {
  dateSchema,
  decodeRecorded,
  type EventData,
  entityIdSchema,
  eventIdSchema,
  noteSchema,
  positiveFenSchema,
} from '@trec/contracts'
import { TrecError } from '@trec/core'
import { assertRegion, type Platform, principal } from '@trec/fastify-kit'
import { z } from 'zod'
import { readClassEvidence } from '../app/read-evidence.ts'
import { advanceDecider } from '../domain/advance-decider.ts'
import { lastFact } from '../domain/facts.ts'
import { type RecoveryCommand, recoveryDecider } from '../domain/recovery-decider.ts'
import type { ResolvedOptions } from '../options.ts'
import { claimParams, loadClaim, metaFor, now, singleEventId } from './common.ts'

// Recovery accounts (issue 26): opened by a subsidy officer for a clawback of a claim or for
// what a class's advance paid beyond what its workers earned; repayments recorded by finance
// with the bank's reference; a write-off by an officer, with the reason. The account's id is
// derived from what it recovers, so opening it again is the same account.

/** `rcv-` and 32 hex digits of the SHA-256 of what the account recovers. */
export function recoveryIdOf(source: string): string {
  return `rcv-${createHash('sha256').update(source).digest('hex').slice(0, 32)}`
}

export const recoveryParams = z.strictObject({
  recovery: z.string().regex(/^rcv-[0-9a-f]{32}$/, 'must be a recovery id (rcv-<32 hex digits>)'),
})

const exampleRecovery = 'rcv-0c4d1e7a9b2f4c3e8f6a2b1c0d9e8f7a'

const clawbackRecoveryBody = z
  .strictObject({
    /** The SubsidyClawedBack event of the claim this account recovers. */
    clawback: eventIdSchema,
    dueOn: dateSchema,
  })
  .meta({
    id: 'ClawbackRecoveryRequest',
    example: { clawback: '0190f3a1-7c2e-7a4b-8c3d-1e2f3a4b5c6d', dueOn: '2026-09-30' },
  })

const advanceRecoveryBody = z
  .strictObject({ dueOn: dateSchema })
  .meta({ id: 'AdvanceRecoveryRequest', example: { dueOn: '2026-09-30' } })

const repaymentBody = z
  .strictObject({
    /** In fen; at most what is still due. */
    amount: positiveFenSchema,
    /** The bank's reference for the incoming transfer; a second request with it records nothing. */
    bankRef: z.string().min(1).max(128),
    receivedOn: dateSchema,
  })
  .meta({
    id: 'RepaymentRequest',
    example: { amount: 50_000, bankRef: 'ICBC-IN-20260701-3', receivedOn: '2026-07-01' },
  })

const writeOffBody = z
  .strictObject({
    reason: z.enum(['debtor_deceased', 'debtor_dissolved', 'uncollectable', 'waived_by_decision', 'other']),
    note: noteSchema.optional(),
  })
  .meta({ id: 'RecoveryWriteOffRequest', example: { reason: 'uncollectable', note: 'no assets found' } })

const created = (ids: string[], revision: number, recovery: string) => ({ ids, revision, recovery })

const openAnswer = z.object({ ids: z.array(z.string()), revision: z.int(), recovery: z.string() }).meta({
  id: 'RecoveryOpenAnswer',
  description: 'The events appended, the stream revision and the recovery account’s id.',
  example: { ids: ['0190f3a1-7c2e-7a4b-8c3d-1e2f3a4b5c6d'], revision: 0, recovery: exampleRecovery },
})

/** The region an account was opened in (404 when there is none). */
async function regionOf(options: ResolvedOptions, recovery: string): Promise<string> {
  const { state } = await loadState(options.store, `recovery-${recovery}`, recoveryDecider)
  if (!state.opened)
    throw new TrecError('TREC_NOT_FOUND', `no recovery ${recovery}`, { details: { recovery } })
  return state.opened.region
}

async function decide(
  options: ResolvedOptions,
  request: Parameters<typeof principal>[0],
  region: string,
  recovery: string,
  command: RecoveryCommand,
) {
  const p = principal(request)
  assertRegion(p, region)
  const { at } = now(options)
  const result = await handleCommand(options.store, recoveryDecider, {
    stream: `recovery-${recovery}`,
    command,
    meta: metaFor(p, at, region),
    nextId: singleEventId(request),
  })
  return created(result.ids, result.append.revision, recovery)
}

/** Opening (subsidy officer), repayment (finance) and write-off (subsidy officer) of recoveries. */
export function recoveryRoutes(app: Platform, options: ResolvedOptions): void {
  app.post(
    '/v1/claims/:claim/recoveries',
    {
      config: { auth: { roles: ['subsidy_officer'] } },
      schema: {
        tags: ['subsidy'],
        summary: 'Open the recovery account of a clawback (追回台账)',
        operationId: 'openClawbackRecovery',
        description:
          'A subsidy officer of the claim’s region opens the account that follows a clawback of the claim to the money returned: the amount clawed back is due from the worker paid by the due date. Opening it again answers the same account with nothing new. Answers the events appended and the account’s id.',
        params: claimParams,
        body: clawbackRecoveryBody,
        response: { 201: openAnswer },
      },
    },
    async (request, reply) => {
      const loaded = await loadClaim(options, request.params.claim)
      const region = loaded.claim.submitted.region
      assertRegion(principal(request), region)
      const { events } = await loadState(options.store, `subsidy-${loaded.worker}`, {
        initialState: () => undefined,
        evolve: () => undefined,
      })
      const found = events.find((e) => e.id === request.body.clawback)
      const clawback = found ? decodeRecorded(found) : undefined
      if (clawback?.type !== 'SubsidyClawedBack' || clawback.data.claim !== request.params.claim)
        throw new TrecError('TREC_VALIDATION', 'the claim has no such clawback', {
          details: { field: 'clawback', expected: 'the id of a SubsidyClawedBack of the claim' },
        })
      const data = clawback.data as EventData<'SubsidyClawedBack'>
      const recovery = recoveryIdOf(`clawback:${request.body.clawback}`)
      const answer = await decide(options, request, region, recovery, {
        kind: 'open',
        recovery,
        region,
        source: { kind: 'clawback', claim: request.params.claim, clawback: request.body.clawback },
        debtor: { kind: 'worker', id: data.worker },
        worker: data.worker,
        amount: data.amount,
        dueOn: request.body.dueOn,
      })
      return reply.code(201).send(answer)
    },
  )

  app.post(
    '/v1/classes/:class/advance-recoveries',
    {
      config: { auth: { roles: ['subsidy_officer'] } },
      schema: {
        tags: ['subsidy'],
        summary: 'Open the recovery account of a class’s advance shortfall (先行拨付清算)',
        operationId: 'openAdvanceRecovery',
        description:
          'A subsidy officer of the class’s region opens the account for what the class’s advance paid beyond what its workers earned: the advance less what the payments for its workers settled against it, due back from the institution advanced by the due date. Open it once the class’s payments are settled. Refused with 422 when nothing of the advance is left unsettled. Opening it again answers the same account with nothing new. Amounts are in fen.',
        params: z.strictObject({ class: entityIdSchema }),
        body: advanceRecoveryBody,
        response: { 201: openAnswer },
      },
    },
    async (request, reply) => {
      const cls = request.params.class
      const evidence = await readClassEvidence(options.store, cls)
      const applied = lastFact(evidence, 'ClassOpeningApplied', (c) => c.class === cls)
      if (!applied) throw new TrecError('TREC_NOT_FOUND', `no class ${cls}`, { details: { class: cls } })
      const region = applied.data.region
      assertRegion(principal(request), region)
      const { state } = await loadState(options.store, `advance-${cls}`, advanceDecider)
      const recovery = recoveryIdOf(`advance:${cls}`)
      const paid = state.advance
      if (!paid || state.balance <= 0)
        throw new TrecError('TREC_RULE_FAILED', 'the class’s advance has nothing left unsettled', {
          details: {
            reasons: [
              {
                rule: 'advance-shortfall',
                message: 'the class’s advance has nothing left unsettled',
                details: { class: cls, balance: state.balance },
              },
            ],
          },
        })
      const answer = await decide(options, request, region, recovery, {
        kind: 'open',
        recovery,
        region,
        source: {
          kind: 'advance_shortfall',
          class: cls,
          advanced: paid.amount,
          earned: paid.amount - state.balance,
        },
        debtor: { kind: paid.kind === 'apprenticeship' ? 'enterprise' : 'provider', id: paid.provider },
        amount: state.balance,
        dueOn: request.body.dueOn,
      })
      return reply.code(201).send(answer)
    },
  )

  app.post(
    '/v1/recoveries/:recovery/repayments',
    {
      config: { auth: { roles: ['finance'] } },
      schema: {
        tags: ['subsidy'],
        summary: 'Record a repayment into a recovery account',
        operationId: 'recordRepayment',
        description:
          'Finance of the account’s region records money repaid, with the bank’s reference and the day received. A reference already recorded on the account records nothing new. A repayment above what is still due is refused with 422 naming `amount`, and nothing is written. Amounts are in fen. Answers the events appended.',
        params: recoveryParams,
        body: repaymentBody,
        response: { 201: openAnswer },
      },
    },
    async (request, reply) => {
      const recovery = request.params.recovery
      const region = await regionOf(options, recovery)
      const answer = await decide(options, request, region, recovery, {
        kind: 'repay',
        recovery,
        ...request.body,
      })
      return reply.code(201).send(answer)
    },
  )

  app.post(
    '/v1/recoveries/:recovery/write-off',
    {
      config: { auth: { roles: ['subsidy_officer'] } },
      schema: {
        tags: ['subsidy'],
        summary: 'Write off what is still due on a recovery account (核销)',
        operationId: 'writeOffRecovery',
        description:
          'A subsidy officer of the account’s region writes off what is still due, with the reason; the account is then closed. Refused with 422 when the account is already recovered or written off. Answers the events appended.',
        params: recoveryParams,
        body: writeOffBody,
        response: { 201: openAnswer },
      },
    },
    async (request, reply) => {
      const recovery = request.params.recovery
      const region = await regionOf(options, recovery)
      const answer = await decide(options, request, region, recovery, {
        kind: 'write-off',
        recovery,
        ...request.body,
      })
      return reply.code(201).send(answer)
    },
  )
}
