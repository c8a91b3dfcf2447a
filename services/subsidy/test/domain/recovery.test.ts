import type { TrecError } from '@trec/core'
import { describe, expect, it } from 'vitest'
import {
  outstandingOf,
  type RecoveryCommand,
  type RecoveryEvent,
  type RecoveryState,
  recoveryDecider,
  statusOf,
} from '../../src/domain/recovery-decider.ts'

const worker = '5f2c0e1a9b7d4c3e8f6a2b1c0d9e8f7a'
const recovery = 'rcv-0c4d1e7a9b2f4c3e8f6a2b1c0d9e8f7a'
const open: RecoveryCommand = {
  kind: 'open',
  recovery,
  region: '130102',
  source: { kind: 'clawback', claim: `clm-${worker}-1`, clawback: '0190f3a1-7c2e-7a4b-8c3d-1e2f3a4b5c6d' },
  debtor: { kind: 'worker', id: worker },
  worker,
  amount: 150_000,
  dueOn: '2021-09-30',
}
const repay = (amount: number, bankRef: string): RecoveryCommand => ({
  kind: 'repay',
  recovery,
  amount,
  bankRef,
  receivedOn: '2021-07-01',
})

/** Decides each command in turn on the state the earlier ones left; answers the state and the events of the last. */
function run(...commands: RecoveryCommand[]): { state: RecoveryState; last: RecoveryEvent[] } {
  let state = recoveryDecider.initialState()
  let last: RecoveryEvent[] = []
  for (const c of commands) {
    last = recoveryDecider.decide(c, state)
    for (const e of last) state = recoveryDecider.evolve(state, e)
  }
  return { state, last }
}

const refusal = (f: () => unknown) => {
  try {
    f()
  } catch (e) {
    return (e as TrecError).details as { reasons: { rule: string; details: Record<string, unknown> }[] }
  }
  throw new Error('not refused')
}

describe('recovery accounts', () => {
  it('goes due → partly_recovered → recovered through repayments, each naming the worker owing', () => {
    expect(statusOf(run(open).state)).toBe('due')
    const part = run(open, repay(100_000, 'BK-1'))
    expect(statusOf(part.state)).toBe('partly_recovered')
    expect(part.last[0]!.data).toMatchObject({ worker, recovered: 100_000, outstanding: 50_000 })
    const all = run(open, repay(100_000, 'BK-1'), repay(50_000, 'BK-2'))
    expect(statusOf(all.state)).toBe('recovered')
    expect(outstandingOf(all.state)).toBe(0)
  })

  it('records a bank reference once, and opens an account once', () => {
    expect(run(open, repay(100_000, 'BK-1'), repay(100_000, 'BK-1')).last).toEqual([])
    expect(run(open, open).last).toEqual([])
  })

  it('refuses a repayment above what is still due, naming the amount', () => {
    const { state } = run(open, repay(100_000, 'BK-1'))
    const { reasons } = refusal(() => recoveryDecider.decide(repay(50_001, 'BK-2'), state))
    expect(reasons[0]).toMatchObject({
      rule: 'repayment-amount',
      details: { field: 'amount', outstanding: 50_000 },
    })
  })

  it('writes off what is still due, and nothing follows a closed account', () => {
    const off = run(open, repay(100_000, 'BK-1'), { kind: 'write-off', recovery, reason: 'uncollectable' })
    expect(off.last[0]).toMatchObject({ type: 'RecoveryWriteOffRecorded', data: { amount: 50_000, worker } })
    expect(statusOf(off.state)).toBe('written_off')
    expect(refusal(() => recoveryDecider.decide(repay(1, 'BK-3'), off.state)).reasons[0]!.rule).toBe(
      'recovery-open',
    )
  })

  it('refuses a repayment to an account never opened', () => {
    const { reasons } = refusal(() =>
      recoveryDecider.decide(repay(1, 'BK-1'), recoveryDecider.initialState()),
    )
    expect(reasons[0]!.rule).toBe('recovery-exists')
  })

  it('names no worker for an account an institution owes', () => {
    const provider: RecoveryCommand = {
      ...open,
      source: { kind: 'advance_shortfall', class: 'cls-1', advanced: 330_000, earned: 220_000 },
      debtor: { kind: 'provider', id: 'inst-130100-0042' },
      amount: 110_000,
    }
    delete (provider as { worker?: string }).worker
    const { last } = run(provider, repay(60_000, 'BK-1'))
    expect(last[0]!.data).not.toHaveProperty('worker')
  })
})
