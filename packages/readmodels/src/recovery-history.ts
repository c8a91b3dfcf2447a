import { type FoldEvent, is } from './events.ts'

// The recovery accounts a worker owes (a clawback followed to the money returned), each with its
// history of repayments and write-off, as the archive and compliance show them. A pure function
// of the worker's own events, in the record's order.

/** What happened on a recovery account: a repayment or a write-off. */
export interface RecoveryStep {
  kind: 'repayment' | 'write_off'
  amount: number
  at: string
  bankRef?: string
  receivedOn?: string
  reason?: string
}

export interface RecoveryHistory {
  recovery: string
  claim?: string
  amount: number
  dueOn: string
  openedAt: string
  recovered: number
  writtenOff: number
  status: 'due' | 'partly_recovered' | 'recovered' | 'written_off'
  history: RecoveryStep[]
}

/** The event types the history reads (each carries `data.worker` when a worker owes the account). */
export const recoveryHistoryTypes = [
  'RecoveryOpened',
  'RepaymentRecorded',
  'RecoveryWriteOffRecorded',
] as const

/** The worker's recovery accounts, in the order opened, from their own events in the record's order. */
export function recoveryHistories(own: readonly FoldEvent[]): RecoveryHistory[] {
  const accounts = new Map<string, RecoveryHistory>()
  for (const e of own) {
    if (is(e, 'RecoveryOpened'))
      accounts.set(e.data.recovery, {
        recovery: e.data.recovery,
        ...(e.data.source.kind === 'clawback' ? { claim: e.data.source.claim } : {}),
        amount: e.data.amount,
        dueOn: e.data.dueOn,
        openedAt: e.occurredAt,
        recovered: 0,
        writtenOff: 0,
        status: 'due',
        history: [],
      })
    else if (is(e, 'RepaymentRecorded')) {
      const r = accounts.get(e.data.recovery)
      if (!r) continue
      r.recovered += e.data.amount
      r.status = r.recovered >= r.amount ? 'recovered' : 'partly_recovered'
      r.history.push({
        kind: 'repayment',
        amount: e.data.amount,
        at: e.occurredAt,
        bankRef: e.data.bankRef,
        receivedOn: e.data.receivedOn,
      })
    } else if (is(e, 'RecoveryWriteOffRecorded')) {
      const r = accounts.get(e.data.recovery)
      if (!r) continue
      r.writtenOff += e.data.amount
      r.status = 'written_off'
      r.history.push({ kind: 'write_off', amount: e.data.amount, at: e.occurredAt, reason: e.data.reason })
    }
  }
  return [...accounts.values()]
}
