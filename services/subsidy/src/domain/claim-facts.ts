import type { RuleViolation } from '@trec/command'
import type { subsidyKinds } from '@trec/contracts'
import type { RuleSetRef } from './rule-set.ts'

export type SubsidyKind = (typeof subsidyKinds)[number]
export type PayeeKind = 'worker' | 'provider' | 'enterprise'

/** A claim as the gate judges it, at submission or at payment. */
export interface ClaimFacts {
  claim: string
  worker: string
  region: string
  kind: SubsidyKind
  payee: { kind: PayeeKind; id: string }
  /** The amount to judge: the one claimed at submission, the approved one at payment. */
  amount: number
  class?: string | undefined
  certificate?: string | undefined
  /** The day the claim was made (China), which fixes its rule set and its year. */
  claimedOn: string
}

/** A violation stamped with the rule set it was judged by. */
export function violation(
  rule: string,
  message: string,
  ruleSet: RuleSetRef,
  details?: Record<string, unknown>,
): RuleViolation {
  return { rule, message, ruleSet, ...(details ? { details } : {}) }
}
