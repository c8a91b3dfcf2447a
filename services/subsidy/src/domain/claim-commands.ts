import type { EventData, SealedValue } from '@trec/contracts'
import type { ClaimFacts, PayeeKind, SubsidyKind } from './claim-facts.ts'
import type { Evidence } from './facts.ts'
import type { RuleSet } from './rule-set.ts'

// What can be asked of a worker's subsidy stream. Everything a decision needs from outside the
// stream (the day, the rule set, the record of other contexts) travels in the command, so the
// decider stays pure.

export interface SubmitClaim {
  kind: 'submit'
  worker: string
  region: string
  subsidy: SubsidyKind
  payee: { kind: PayeeKind; id: string }
  amount: number
  class?: string | undefined
  certificate?: string | undefined
  today: string
  /** The rule set in force for the region today; undefined when none is. */
  rules: RuleSet | undefined
  evidence: Evidence
}

export interface ReviewClaim {
  kind: 'review'
  claim: string
  reviewer: { kind: 'authority' | 'third_party'; id: string }
  outcome: 'approved' | 'rejected' | 'returned'
  approvedAmount?: number | undefined
  reasons: string[]
}

export interface DecideClaim {
  kind: 'decide'
  claim: string
  outcome: 'approved' | 'rejected'
  /** Defaults to the amount the last review approved. */
  approvedAmount?: number | undefined
  reasons: string[]
}

export interface PayClaim {
  kind: 'pay'
  claim: string
  today: string
  /** The rule set the claim was judged by (looked up by its recorded `{ id, version }`). */
  rules: RuleSet | undefined
  evidence: Evidence
  paymentRef: string
  account?: { kind: 'ssc_card' | 'bank_card'; bankAccount: SealedValue } | undefined
  fundSource?: EventData<'SubsidyPaid'>['fundSource']
}

export interface ClawBack {
  kind: 'claw-back'
  claim: string
  /** Defaults to all that is still unrecovered. */
  amount?: number | undefined
  reason: EventData<'SubsidyClawedBack'>['reason']
  case?: string | undefined
  evidence: string[]
  note?: string | undefined
}

export interface AttestContributions {
  kind: 'attest'
  worker: string
  months: number
  asOf: string
  enterpriseEmployee: boolean
  source: { system: string; ref: string }
  today: string
}

export type SubsidyCommand =
  | SubmitClaim
  | ReviewClaim
  | DecideClaim
  | PayClaim
  | ClawBack
  | AttestContributions

/** Claim ids name the worker stream they live in, so a claim is found by one stream read. */
export const claimIdFor = (worker: string, n: number): string => `clm-${worker}-${n}`

export function workerOfClaim(claim: string): string | undefined {
  return /^clm-([0-9a-f]{32})-[1-9]\d{0,8}$/.exec(claim)?.[1]
}

export type { ClaimFacts }
