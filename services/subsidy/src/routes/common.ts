import { loadState } from '@trec/command'
import { type AppendMetadata, commandAnswerSchema } from '@trec/contracts'
import { TrecError } from '@trec/core'
import { actorOf, type Principal } from '@trec/fastify-kit'
import { z } from 'zod'
import { workerOfClaim } from '../domain/claim-commands.ts'
import { subsidyDecider } from '../domain/claim-decider.ts'
import type { ClaimState, SubsidyState } from '../domain/claim-state.ts'
import { chinaDay } from '../domain/dates.ts'
import type { ResolvedOptions } from '../options.ts'

// What every route of the service shares: the envelope of its events, the caller's scope, the
// claim a path names, and the shape of a command's answer.

export const source = 'trec.subsidy'

export function forbidden(reason: string, details: Record<string, unknown> = {}): TrecError {
  return new TrecError('TREC_FORBIDDEN', reason, { details: { reason, ...details } })
}

/** `201 { ids, revision }`: the events appended and the stream's revision after them. */
export const commandAnswer = commandAnswerSchema

/** A rule set and one of its versions, as a decision records it. */
export const ruleSetRef = z
  .object({ id: z.string(), version: z.int().describe('The version; 0 for a withdrawal.') })
  .meta({
    id: 'RuleSetRef',
    description: 'A rule set and one of its versions, as every decision records it.',
    example: { id: 'hebei-2026', version: 2 },
  })

/** An example claim id, for the document's examples. */
export const exampleClaim = 'clm-5f2c0e1a9b7d4c3e8f6a2b1c0d9e8f7a-1'

export const claimParams = z.strictObject({
  claim: z.string().regex(/^clm-[0-9a-f]{32}-[1-9]\d{0,8}$/, 'must be a claim id (clm-<worker>-<n>)'),
})

/** The instant and calendar day (China) a command is decided at. */
export function now(options: ResolvedOptions): { at: string; today: string } {
  const at = options.clock()
  return { at: at.toISOString(), today: chinaDay(at) }
}

/** Envelope metadata: who, when, where, and the flow the event belongs to. */
export function metaFor(
  p: Principal,
  at: string,
  region: string,
  correlationId?: string,
): Omit<AppendMetadata, 'id'> {
  return {
    occurredAt: at,
    actor: actorOf(p),
    source,
    region,
    ...(correlationId === undefined ? {} : { correlationId }),
  }
}

/**
 * One event id for a one-event command, the same on every retry of the decision: derived from
 * the Idempotency-Key when there is one, so a repeated request appends nothing new.
 */
export { singleEventId } from '@trec/fastify-kit'

export interface LoadedClaim {
  worker: string
  state: SubsidyState
  claim: ClaimState
  /** The id of the claim's submission, which correlates every later event of the claim. */
  correlationId: string
}

/** The claim a path names, from its worker's stream; 404 when there is none. */
export async function loadClaim(options: ResolvedOptions, id: string): Promise<LoadedClaim> {
  const worker = workerOfClaim(id)
  const notFound = () => new TrecError('TREC_NOT_FOUND', `no claim ${id}`, { details: { claim: id } })
  if (!worker) throw notFound()
  const { state, events } = await loadState(options.store, `subsidy-${worker}`, subsidyDecider)
  const claim = state.claims[id]
  const submitted = events.find(
    (e) => e.type === 'SubsidyClaimSubmitted' && (e.data as { claim?: unknown }).claim === id,
  )
  if (!claim || !submitted) throw notFound()
  return { worker, state, claim, correlationId: submitted.id }
}
