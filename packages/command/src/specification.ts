import { isTrecError } from '@trec/core'
import type { Decider, RuleViolation } from './decider.ts'

/**
 * Tests that read like the rule they check:
 *   spec(decider).given(enrolled, verified).when(claim).then(claimSubmitted)
 *   spec(decider).given(enrolled).when(claim).rejects('identity-verified')
 */
export function spec<State, Command, Event>(decider: Decider<State, Command, Event>) {
  return {
    given(...history: Event[]) {
      const state = history.reduce(decider.evolve, decider.initialState())
      return {
        when(command: Command) {
          const run = () => decider.decide(command, state)
          return {
            // biome-ignore lint/suspicious/noThenProperty: `given/when/then` is the specification's vocabulary (as in Emmett's DeciderSpecification); nothing awaits this object.
            then(...expected: Event[]): Event[] {
              const events = run()
              assertEqual(events, expected)
              return events
            },
            /** The events it decided, for assertions of one's own. */
            events: run,
            rejects(...rules: string[]): RuleViolation[] {
              try {
                const events = run()
                throw new Error(
                  `expected a rejection (${rules.join(', ')}) but got ${JSON.stringify(events)}`,
                )
              } catch (error) {
                if (!isTrecError(error, 'TREC_RULE_FAILED')) throw error
                const reasons = error.details.reasons as RuleViolation[]
                const got = reasons.map((r) => r.rule).sort()
                assertEqual(got, [...rules].sort())
                return reasons
              }
            },
          }
        },
      }
    },
  }
}

function assertEqual(actual: unknown, expected: unknown): void {
  const a = JSON.stringify(actual)
  const e = JSON.stringify(expected)
  if (a !== e) throw new Error(`expected ${e}\n     got ${a}`)
}

export { openTestCase } from './testing-cases.ts'
