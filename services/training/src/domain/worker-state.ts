import type { EventData } from '@trec/contracts'

// A worker's training record (`training-{worker}`, keyed by pseudonym): vouchers issued,
// claimed, redeemed or lapsed, enrolments, and real-name checks.

export type WorkerEvent =
  | { type: 'VoucherIssued'; data: EventData<'VoucherIssued'> }
  | { type: 'VoucherClaimed'; data: EventData<'VoucherClaimed'> }
  | { type: 'VoucherRedeemed'; data: EventData<'VoucherRedeemed'> }
  | { type: 'VoucherExpired'; data: EventData<'VoucherExpired'> }
  | { type: 'WorkerEnrolled'; data: EventData<'WorkerEnrolled'> }
  | { type: 'IdentityVerified'; data: EventData<'IdentityVerified'> }
  | { type: 'RosterEntryAdded'; data: EventData<'RosterEntryAdded'> }

export interface VoucherState {
  issued: EventData<'VoucherIssued'>
  status: 'issued' | 'claimed' | 'redeemed' | 'expired'
  redeemedFor?: string
}

export interface WorkerState {
  vouchers: VoucherState[]
  enrolments: { class: string; institution: string }[]
  /** Real-name checks recorded, as `method:platformRef`. */
  checks: string[]
}

export const checkKey = (method: string, platformRef: string) => `${method}:${platformRef}`

export function findVoucher(state: WorkerState, voucher: string): VoucherState | undefined {
  return state.vouchers.find((v) => v.issued.voucher === voucher)
}
