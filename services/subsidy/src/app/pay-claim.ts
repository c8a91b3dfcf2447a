import { handleMultiStreamCommand, loadState } from '@trec/command'
import type { AppendMetadata } from '@trec/contracts'
import type { EventStore } from '@trec/eventstore'
import { advanceDecider } from '../domain/advance-decider.ts'
import type { PayClaim } from '../domain/claim-commands.ts'
import { subsidyDecider } from '../domain/claim-decider.ts'

// A payment touches two streams when the provider (or the enterprise) had an advance for the class: the worker's
// SubsidyPaid and the class's AdvanceApplied go in one atomic append, each at the revision it
// was decided on, so the same advance can never be set against two payments.

export interface PaymentResult {
  ids: string[]
  revision: number
  amount: number
  /** How much of the amount the class's advance had already paid. */
  advanceApplied: number
}

export async function payClaim(
  store: EventStore,
  worker: string,
  command: PayClaim,
  meta: Omit<AppendMetadata, 'id'>,
  nextId: () => string,
  retries = 3,
): Promise<PaymentResult> {
  const subsidyStream = `subsidy-${worker}`
  const { events, ids, streams } = await handleMultiStreamCommand(
    store,
    async () => {
      const subsidy = await loadState(store, subsidyStream, subsidyDecider)
      const [paid] = subsidyDecider.decide(command, subsidy.state)
      if (paid?.type !== 'SubsidyPaid') throw new Error('a payment decides one SubsidyPaid')
      const cls = subsidy.state.claims[command.claim]?.submitted.class
      if (paid.data.payee.kind === 'worker' || cls === undefined)
        return { events: [paid], revisions: { [subsidyStream]: subsidy.revision } }
      const advanceStream = `advance-${cls}`
      const advance = await loadState(store, advanceStream, advanceDecider)
      const applied = advanceDecider.decide(
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
      return {
        events: [paid, ...applied],
        revisions: { [subsidyStream]: subsidy.revision, [advanceStream]: advance.revision },
        // Held even when nothing is applied: the expected revision still guards against an
        // advance paid for the class between this read and this append.
        guard: [advanceStream],
      }
    },
    { meta, nextId, retries },
  )
  const sum = (type: string) =>
    events.reduce((n, e) => n + (e.type === type ? (e.data as { amount: number }).amount : 0), 0)
  return {
    ids,
    revision: streams.get(subsidyStream)!.revision,
    amount: sum('SubsidyPaid'),
    advanceApplied: sum('AdvanceApplied'),
  }
}
