import { TrecError } from '@trec/core'

/**
 * Domain logic as a pure decider: `decide` turns a command and the current state into events
 * (or a rejection), `evolve` folds an event into the state. No I/O, no clock: the time a
 * command is decided at travels in the command.
 */
export interface Decider<State, Command, Event> {
  initialState(): State
  evolve(state: State, event: Event): State
  decide(command: Command, state: State): Event[]
}

/** One reason a rule refused a command: stable id, what failed, and the rule set it was judged by. */
export interface RuleViolation {
  rule: string
  message: string
  ruleSet?: { id: string; version: number }
  details?: Record<string, unknown>
}

/** Refuses a command: answered 422 with every reason, and nothing is appended. */
export function reject(...reasons: RuleViolation[]): never {
  throw new TrecError('TREC_RULE_FAILED', reasons.map((r) => r.message).join('; '), { details: { reasons } })
}

/** Collects the violations of several independent checks and refuses with all of them at once. */
export function check(...results: (RuleViolation | undefined | false)[]): void {
  const reasons = results.filter((r): r is RuleViolation => Boolean(r))
  if (reasons.length > 0) reject(...reasons)
}
