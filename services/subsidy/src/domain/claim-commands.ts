import type { EventData } from '@trec/contracts'
import type { PayeeKind, SubsidyKind } from './claim-facts.ts'
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

/** An objection to a published claim (公示), filed by an officer for whoever raised it. */
export interface ObjectToPublication {
  kind: 'publication-objection'
  claim: string
  objection: string
  reason: string
  today: string
}

/** An officer's ruling on an objection to a published claim. */
export interface RuleOnObjection {
  kind: 'publication-ruling'
  claim: string
  objection: string
  outcome: 'upheld' | 'dismissed'
  note: string
}

export interface DecideClaim {
  kind: 'decide'
  claim: string
  outcome: 'approved' | 'rejected'
  /** Defaults to the amount the last review approved. */
  approvedAmount?: number | undefined
  reasons: string[]
  /** 公示: the days the rule set publishes an approved claim for, and the day of the decision. */
  publication?: { days: number; today: string } | undefined
}

export interface PayClaim {
  kind: 'pay'
  claim: string
  today: string
  /** The rule set the claim was judged by (looked up by its recorded `{ id, version }`). */
  rules: RuleSet | undefined
  evidence: Evidence
  paymentRef: string
  /**
   * What the account finance named turned out to be, once opened (持卡领补, D3): the worker's
   * registered card account, or another; undefined when finance named none (the card's is used).
   */
  offered?: OfferedAccount | undefined
  fundSource?: EventData<'SubsidyPaid'>['fundSource']
}

export type OfferedAccount = 'card_account' | 'other_account'

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

/** An officer's review of an open claim whose institution came under a sanction after it was made. */
export interface ReviewSanction {
  kind: 'sanction-review'
  claim: string
  outcome: 'continue' | 'reject'
  note: string
  /** The institution's record, read by the route. */
  evidence: Evidence
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

/** The card service registers the account of the worker's social-security card (持卡领补). */
export interface RegisterCardAccount {
  kind: 'register-card-account'
  data: EventData<'CardAccountRegistered'>
}

export type SubsidyCommand =
  | SubmitClaim
  | ReviewClaim
  | DecideClaim
  | PayClaim
  | ClawBack
  | ReviewSanction
  | ObjectToPublication
  | RuleOnObjection
  | AttestContributions
  | RegisterCardAccount

/** Claim ids name the worker stream they live in, so a claim is found by one stream read. */
export const claimIdFor = (worker: string, n: number): string => `clm-${worker}-${n}`

export function workerOfClaim(claim: string): string | undefined {
  return /^clm-([0-9a-f]{32})-[1-9]\d{0,8}$/.exec(claim)?.[1]
}
