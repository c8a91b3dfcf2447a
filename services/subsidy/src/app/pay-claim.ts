import { appendedBefore, isResumed, loadState } from '@trec/command'
import { type AppendMetadata, decodeRecorded, toEventToAppend } from '@trec/contracts'
import { isTrecError } from '@trec/core'
import type { EventStore, StreamAppend } from '@trec/eventstore'
import { advanceDecider } from '../domain/advance-decider.ts'
import type { PayClaim } from '../domain/claim-commands.ts'
import { subsidyDecider } from '../domain/claim-decider.ts'

// A payment touches two streams when the provider had an advance for the class: the worker's
// SubsidyPaid and the class's AdvanceApplied go in one atomic append, each at the revision it
// was decided on, so the same advance can never be set against two payments.

export interface PaymentResult {
  ids: string[]
  revision: number
  amount: number
  /** How much of the amount the class's advance had already paid. */
  advanceApplied: number
}

const expected = (revision: number) => (revision < 0 ? ('no_stream' as const) : revision)

export async function payClaim(
  store: EventStore,
  worker: string,
  command: PayClaim,
  meta: Omit<AppendMetadata, 'id'>,
  nextId: () => string,
  retries = 3,
): Promise<PaymentResult> {
  const subsidyStream = `subsidy-${worker}`
  const ids = Array.from({ length: 2 }, nextId)
  if (isResumed(nextId)) {
    // The first attempt may have paid: its SubsidyPaid (and AdvanceApplied) are then the answer.
    const prior = await appendedBefore(store, (i) => ids[i] ?? nextId())
    const paid = prior?.[0] && decodeRecorded(prior[0])
    if (prior && paid?.type === 'SubsidyPaid') {
      const applied = prior[1] && decodeRecorded(prior[1])
      return {
        ids: prior.map((e) => e.id),
        revision: prior[0]!.revision,
        amount: paid.data.amount,
        advanceApplied: applied?.type === 'AdvanceApplied' ? applied.data.amount : 0,
      }
    }
  }
  for (let attempt = 0; ; attempt++) {
    const subsidy = await loadState(store, subsidyStream, subsidyDecider)
    const [paid] = subsidyDecider.decide(command, subsidy.state)
    if (paid?.type !== 'SubsidyPaid') throw new Error('a payment decides one SubsidyPaid')
    const cls = subsidy.state.claims[command.claim]?.submitted.class
    const appends: StreamAppend[] = [
      {
        stream: subsidyStream,
        events: [toEventToAppend(paid, { ...meta, id: ids[0]! })],
        expectedRevision: expected(subsidy.revision),
      },
    ]
    let applied = 0
    if (paid.data.payee.kind === 'provider' && cls !== undefined) {
      const advanceStream = `advance-${cls}`
      const advance = await loadState(store, advanceStream, advanceDecider)
      const events = advanceDecider.decide(
        {
          kind: 'apply',
          class: cls,
          provider: paid.data.payee.id,
          claim: command.claim,
          worker,
          amount: paid.data.amount,
        },
        advance.state,
      )
      applied = events.reduce((sum, e) => sum + (e.type === 'AdvanceApplied' ? e.data.amount : 0), 0)
      // Appended even when empty: the expected revision still guards against an advance paid
      // for the class between this read and this append.
      appends.push({
        stream: advanceStream,
        events: events.map((e) => toEventToAppend(e, { ...meta, id: ids[1]! })),
        expectedRevision: expected(advance.revision),
      })
    }
    try {
      const [result] = await store.appendMany(appends)
      const written = appends.flatMap((a) => a.events.map((e) => e.id))
      return { ids: written, revision: result!.revision, amount: paid.data.amount, advanceApplied: applied }
    } catch (error) {
      if (!isTrecError(error, 'TREC_STREAM_CONFLICT') || attempt >= retries) throw error
    }
  }
}
