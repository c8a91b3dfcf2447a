import { type Decider, reject } from '@trec/command'
import type { EventData, EventDataToAppend } from '@trec/contracts'
import { TrecError } from '@trec/core'

// 告知承诺制: an institution's commitment (承诺) stands in place of the proofs it would otherwise
// show, and an officer checks it afterwards (事后核查) by the date recorded with it. One stream
// per commitment, `oversight-commitment-{id}`: recorded once, checked once. A breach is what a
// sanction may then cite (CaseSanctionDecided.grounds) and what the integrity grade counts.

type CommitmentEventType = 'CommitmentRecorded' | 'CommitmentChecked'
export type CommitmentEvent = {
  [T in CommitmentEventType]: { type: T; data: EventDataToAppend<T> }
}[CommitmentEventType]

export interface CommitmentState {
  recorded?: EventData<'CommitmentRecorded'>
  checked?: EventData<'CommitmentChecked'>
}

export type CommitmentCommand =
  | { kind: 'record'; data: EventDataToAppend<'CommitmentRecorded'> }
  | {
      kind: 'check'
      data: Omit<EventDataToAppend<'CommitmentChecked'>, 'commitment' | 'institution'>
      /** Today in China: a check is not recorded ahead of the day it was made. */
      today: string
    }

export const commitmentDecider: Decider<CommitmentState, CommitmentCommand, CommitmentEvent> = {
  initialState: () => ({}),
  evolve(state, event) {
    if (event.type === 'CommitmentRecorded')
      return { ...state, recorded: event.data as EventData<'CommitmentRecorded'> }
    if (event.type === 'CommitmentChecked')
      return { ...state, checked: event.data as EventData<'CommitmentChecked'> }
    return state
  },
  decide(command, state) {
    if (command.kind === 'record') {
      if (state.recorded) reject({ rule: 'commitment-new', message: 'this commitment is already recorded' })
      return [{ type: 'CommitmentRecorded', data: command.data }]
    }
    const recorded = state.recorded
    if (!recorded)
      throw new TrecError('TREC_NOT_FOUND', 'no such commitment', { details: { reason: 'commitment' } })
    if (state.checked)
      reject({
        rule: 'commitment-checked',
        message: `the commitment was already checked: ${state.checked.result}`,
        details: { result: state.checked.result },
      })
    const d = command.data
    if (d.checkedOn < recorded.signedOn || d.checkedOn > command.today)
      reject({
        rule: 'check-date',
        message: `the check is dated between the signing (${recorded.signedOn}) and today (${command.today})`,
      })
    const facts = d.breachedFacts ?? []
    if (d.result === 'breached' && facts.length === 0)
      reject({ rule: 'breach-facts', message: 'a breach names the facts found not as committed' })
    if (d.result === 'kept' && facts.length > 0)
      reject({ rule: 'breach-facts', message: 'a commitment kept names no breached fact' })
    const uncommitted = facts.filter((f) => !recorded.facts.includes(f))
    if (uncommitted.length > 0)
      reject({
        rule: 'breach-facts',
        message: `not committed to: ${uncommitted.join(', ')}`,
        details: { facts: uncommitted },
      })
    return [
      {
        type: 'CommitmentChecked',
        data: { ...d, commitment: recorded.commitment, institution: recorded.institution },
      },
    ]
  },
}
