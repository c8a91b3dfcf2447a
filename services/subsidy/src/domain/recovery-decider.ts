import { type Decider, reject } from '@trec/command'
import type { EventData } from '@trec/contracts'

// A recovery account (`recovery-{recovery}`): money asked back — a clawback, or what a class's
// advance paid beyond what its completed workers earned — followed to its return. Repayments
// are recorded by finance, one per bank reference (a repeated reference is the same repayment,
// answered with nothing new); a repayment above what is still due is refused whole. An officer
// may write off what is still due, with the reason. Nothing follows a closed account.

export type RecoveryEvent =
  | { type: 'RecoveryOpened'; data: EventData<'RecoveryOpened'> }
  | { type: 'RepaymentRecorded'; data: EventData<'RepaymentRecorded'> }
  | { type: 'RecoveryWriteOffRecorded'; data: EventData<'RecoveryWriteOffRecorded'> }

export const recoveryStatuses = ['due', 'partly_recovered', 'recovered', 'written_off'] as const
export type RecoveryStatus = (typeof recoveryStatuses)[number]

export interface RecoveryState {
  opened?: EventData<'RecoveryOpened'>
  recovered: number
  writtenOff: number
  bankRefs: ReadonlySet<string>
}

export type RecoveryCommand =
  | ({ kind: 'open' } & EventData<'RecoveryOpened'>)
  | { kind: 'repay'; recovery: string; amount: number; bankRef: string; receivedOn: string }
  | {
      kind: 'write-off'
      recovery: string
      reason: EventData<'RecoveryWriteOffRecorded'>['reason']
      note?: string | undefined
    }

/** What is still due on an account. */
export function outstandingOf(state: RecoveryState): number {
  return (state.opened?.amount ?? 0) - state.recovered - state.writtenOff
}

export function statusOf(state: RecoveryState): RecoveryStatus {
  if (state.writtenOff > 0) return 'written_off'
  if (state.opened && outstandingOf(state) === 0) return 'recovered'
  return state.recovered > 0 ? 'partly_recovered' : 'due'
}

/** `{ worker }` when a worker owes the account, for the events that follow its opening. */
function workerOf(opened: EventData<'RecoveryOpened'>): { worker?: string } {
  return opened.debtor.kind === 'worker' ? { worker: opened.debtor.id } : {}
}

function opened(state: RecoveryState, recovery: string): EventData<'RecoveryOpened'> {
  if (!state.opened)
    reject({ rule: 'recovery-exists', message: `no recovery ${recovery}`, details: { recovery } })
  return state.opened as EventData<'RecoveryOpened'>
}

function stillOpen(state: RecoveryState, recovery: string): void {
  const status = statusOf(state)
  if (status === 'recovered' || status === 'written_off')
    reject({ rule: 'recovery-open', message: `the recovery is ${status}`, details: { recovery, status } })
}

export const recoveryDecider: Decider<RecoveryState, RecoveryCommand, RecoveryEvent> = {
  initialState: () => ({ recovered: 0, writtenOff: 0, bankRefs: new Set() }),
  evolve(state, event) {
    switch (event.type) {
      case 'RecoveryOpened':
        return { ...state, opened: event.data }
      case 'RepaymentRecorded':
        return {
          ...state,
          recovered: state.recovered + event.data.amount,
          bankRefs: new Set([...state.bankRefs, event.data.bankRef]),
        }
      case 'RecoveryWriteOffRecorded':
        return { ...state, writtenOff: state.writtenOff + event.data.amount }
    }
  },
  decide(command, state) {
    switch (command.kind) {
      case 'open': {
        // Opening twice is the same account: nothing new.
        if (state.opened) return []
        const { kind: _, ...data } = command
        return [{ type: 'RecoveryOpened', data }]
      }
      case 'repay': {
        const account = opened(state, command.recovery)
        if (state.bankRefs.has(command.bankRef)) return []
        stillOpen(state, command.recovery)
        const outstanding = outstandingOf(state)
        if (command.amount > outstanding)
          reject({
            rule: 'repayment-amount',
            message: 'a repayment cannot be more than is still due',
            details: { field: 'amount', amount: command.amount, outstanding },
          })
        return [
          {
            type: 'RepaymentRecorded',
            data: {
              recovery: command.recovery,
              ...workerOf(account),
              amount: command.amount,
              bankRef: command.bankRef,
              receivedOn: command.receivedOn,
              recovered: state.recovered + command.amount,
              outstanding: outstanding - command.amount,
            },
          },
        ]
      }
      case 'write-off': {
        const account = opened(state, command.recovery)
        stillOpen(state, command.recovery)
        return [
          {
            type: 'RecoveryWriteOffRecorded',
            data: {
              recovery: command.recovery,
              ...workerOf(account),
              amount: outstandingOf(state),
              reason: command.reason,
              ...(command.note === undefined ? {} : { note: command.note }),
            },
          },
        ]
      }
    }
  },
}
