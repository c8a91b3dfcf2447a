import type { Decider } from '@trec/command'
import {
  decideEnrolment,
  decideFailedCheck,
  type EnrolCommand,
  type FailedCheckCommand,
} from './enrolment.ts'
import { decideVoucher, type VoucherCommand } from './voucher.ts'
import type { VoucherState, WorkerEvent, WorkerState } from './worker-state.ts'
import { checkKey } from './worker-state.ts'

// The decider of a worker's training record (`training-{worker}`). Enrolment also adds the
// worker to the class roster, an event of the class stream appended in the same transaction.

export type WorkerCommand = VoucherCommand | EnrolCommand | FailedCheckCommand

function withVoucher(state: WorkerState, voucher: string, change: Partial<VoucherState>): WorkerState {
  return {
    ...state,
    vouchers: state.vouchers.map((v) => (v.issued.voucher === voucher ? { ...v, ...change } : v)),
  }
}

export const workerDecider: Decider<WorkerState, WorkerCommand, WorkerEvent> = {
  initialState: () => ({ vouchers: [], enrolments: [], checks: [] }),
  evolve(state, event) {
    switch (event.type) {
      case 'VoucherIssued':
        return { ...state, vouchers: [...state.vouchers, { issued: event.data, status: 'issued' }] }
      case 'VoucherClaimed':
        return withVoucher(state, event.data.voucher, { status: 'claimed' })
      case 'VoucherRedeemed':
        return withVoucher(state, event.data.voucher, { status: 'redeemed', redeemedFor: event.data.class })
      case 'VoucherExpired':
        return withVoucher(state, event.data.voucher, { status: 'expired' })
      case 'WorkerEnrolled':
        return {
          ...state,
          enrolments: [...state.enrolments, { class: event.data.class, institution: event.data.institution }],
        }
      case 'IdentityVerified':
        return { ...state, checks: [...state.checks, checkKey(event.data.method, event.data.platformRef)] }
      case 'RosterEntryAdded':
        return state
    }
  },
  decide(command, state) {
    switch (command.kind) {
      case 'enrol':
        return decideEnrolment(command, state)
      case 'record-failed-check':
        return decideFailedCheck(command, state)
      default:
        return decideVoucher(command, state)
    }
  },
}
