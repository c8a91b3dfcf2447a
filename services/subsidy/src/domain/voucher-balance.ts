import type { EventData } from '@trec/contracts'

// A worker's training vouchers (电子培训券) and what is left of each, pure: issued, claimed by the
// worker, redeemed at enrolment for a class of an institution, settled when the bank's return paid
// the batch line that names it, or lapsed. Built from the worker's training stream and the batch
// lines of the worker's paid claims; nothing here reads the store.

export type VoucherStatus = 'issued' | 'claimed' | 'redeemed' | 'settled' | 'expired'

export interface VoucherBalance {
  voucher: string
  region: string
  value: number
  validUntil: string
  status: VoucherStatus
  group?: string
  /** The class and institution the voucher was redeemed for, and the amount it was redeemed at. */
  redeemed?: { class: string; institution: string; amount: number }
  /** The paid batch line that settled it. */
  settled?: { paymentRef: string; amount: number }
}

export interface VoucherTotals {
  /** Fen still usable: issued or claimed, within validity. */
  available: number
  /** Fen redeemed at enrolment and not yet paid by the bank. */
  redeemed: number
  /** Fen the bank paid against the vouchers. */
  settled: number
}

type TrainingEvent = { type: string; data: unknown }

/** A paid batch line that names a voucher: what the worker's SubsidyPaid cites, read from its batch. */
export interface SettledLine {
  voucher: string
  paymentRef: string
  amount: number
}

export function voucherBalances(
  training: readonly TrainingEvent[],
  settledLines: readonly SettledLine[],
  now: string,
): VoucherBalance[] {
  const byId = new Map<string, VoucherBalance>()
  for (const e of training) {
    if (e.type === 'VoucherIssued') {
      const d = e.data as EventData<'VoucherIssued'>
      byId.set(d.voucher, {
        voucher: d.voucher,
        region: d.region,
        value: d.value,
        validUntil: d.validUntil,
        status: 'issued',
        ...(d.group === undefined ? {} : { group: d.group }),
      })
      continue
    }
    const held = byId.get((e.data as { voucher?: string }).voucher ?? '')
    if (!held) continue
    if (e.type === 'VoucherClaimed') held.status = 'claimed'
    else if (e.type === 'VoucherExpired') held.status = 'expired'
    else if (e.type === 'VoucherRedeemed') {
      const d = e.data as EventData<'VoucherRedeemed'>
      held.status = 'redeemed'
      held.redeemed = { class: d.class, institution: d.institution, amount: d.amount }
    }
  }
  for (const line of settledLines) {
    const held = byId.get(line.voucher)
    if (!held) continue
    held.status = 'settled'
    held.settled = { paymentRef: line.paymentRef, amount: line.amount }
  }
  for (const v of byId.values())
    if ((v.status === 'issued' || v.status === 'claimed') && Date.parse(v.validUntil) <= Date.parse(now))
      v.status = 'expired'
  return [...byId.values()]
}

export function voucherTotals(vouchers: readonly VoucherBalance[]): VoucherTotals {
  const totals = { available: 0, redeemed: 0, settled: 0 }
  for (const v of vouchers) {
    if (v.status === 'issued' || v.status === 'claimed') totals.available += v.value
    else if (v.status === 'redeemed') totals.redeemed += v.redeemed!.amount
    else if (v.status === 'settled') totals.settled += v.settled!.amount
  }
  return totals
}
