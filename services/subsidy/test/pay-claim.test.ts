import { type DomainEventToAppend, decodeRecorded, streamFor, toEventToAppend } from '@trec/contracts'
import { uuidv7 } from '@trec/core'
import type { EventStore } from '@trec/eventstore'
import { openPGliteEventStore } from '@trec/eventstore/pglite'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { payClaim } from '../src/app/pay-claim.ts'
import type { SubsidyEvent } from '../src/domain/claim-state.ts'
import { approved, pastClaim, payment, reviewedOk } from './domain/commands.ts'
import { cls, fullRecord, institution, sjz, worker } from './record.ts'

// The payment and the settlement against the class's advance go in one atomic append; an
// advance paid between reading and appending makes the append fail and the decision rerun.

const meta = {
  occurredAt: '2021-06-15T10:00:00+08:00',
  actor: { kind: 'finance' as const, id: 'finance-1' },
  source: 'trec.subsidy',
  region: '130100',
}
const advance: DomainEventToAppend = {
  type: 'AdvancePaid',
  data: {
    class: cls,
    provider: institution,
    subsidyTotal: 440_000,
    share: 0.5,
    amount: 220_000,
    ruleSet: { id: 'x', version: 1 },
    paymentRef: 'CZ-A',
  },
}

describe('paying a provider for a class with an advance', () => {
  let store: Awaited<ReturnType<typeof openPGliteEventStore>>
  beforeAll(async () => {
    store = await openPGliteEventStore()
    const history: SubsidyEvent[] = [
      pastClaim(1, { class: cls, occupationCode: '6-31-01-03', level: 4, claimedOn: '2021-06-15' }),
      reviewedOk(1),
      approved(1),
    ]
    await store.append(
      `subsidy-${worker}`,
      history.map((e) => toEventToAppend(e, meta)),
    )
  })
  afterAll(() => store.close())

  it('settles against an advance that landed after the read, deciding again on the new state', async () => {
    let slipped = false
    // A finance clerk's advance lands between this payment's reads and its append.
    const racing: EventStore = {
      append: (...args) => store.append(...args),
      readStream: (...args) => store.readStream(...args),
      streamRevision: (...args) => store.streamRevision(...args),
      readAll: (...args) => store.readAll(...args),
      headPosition: () => store.headPosition(),
      lastPosition: () => store.lastPosition(),
      subscribe: (...args) => store.subscribe(...args),
      close: () => store.close(),
      async appendMany(...args) {
        if (!slipped) {
          slipped = true
          await store.append(streamFor(advance), [toEventToAppend(advance, meta)])
        }
        return store.appendMany(...args)
      },
    }
    const ids = [uuidv7(), uuidv7(), uuidv7(), uuidv7()]
    let i = 0
    const result = await payClaim(
      racing,
      worker,
      payment(fullRecord(), 1, { rules: sjz }),
      meta,
      () => ids[i++]!,
    )
    expect(slipped).toBe(true)
    expect(result).toMatchObject({ amount: 220_000, advanceApplied: 220_000 })
    const settled = (await store.readStream(`advance-${cls}`)).map(decodeRecorded)
    expect(settled.map((e) => e.type)).toEqual(['AdvancePaid', 'AdvanceApplied'])
    const paid = (await store.readStream(`subsidy-${worker}`))
      .map(decodeRecorded)
      .filter((e) => e.type === 'SubsidyPaid')
    expect(paid).toHaveLength(1)
  })
})
