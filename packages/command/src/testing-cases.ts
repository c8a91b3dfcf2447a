import { toEventToAppend } from '@trec/contracts'
import type { EventStore, EventToAppend } from '@trec/eventstore'

// For tests of break-glass reads: an oversight case file as the oversight service writes it.

const meta = (region: string) => ({
  occurredAt: '2021-06-01T09:00:00+08:00',
  actor: { kind: 'investigator' as const, id: 'inv-fixture' },
  source: 'trec.oversight',
  region,
})

/** Opens `id` in `region` about `workers` (as subjects); closes it when `closed`. */
export async function openTestCase(
  store: EventStore,
  id: string,
  options: {
    region: string
    workers?: string[]
    /** Other subjects: a claim, a class, an institution. */
    subjects?: { kind: 'claim' | 'class' | 'institution'; id: string }[]
    closed?: boolean
  },
): Promise<void> {
  const events = [
    toEventToAppend(
      {
        type: 'CaseOpened',
        data: {
          case: id,
          title: 'test case',
          region: options.region,
          basis: 'tip_off',
          subjects: [
            ...(options.workers ?? []).map((w) => ({ kind: 'worker' as const, id: w })),
            ...(options.subjects ?? []),
          ],
          alerts: [],
        },
      },
      meta(options.region),
    ),
    ...(options.closed
      ? [
          toEventToAppend(
            { type: 'CaseClosed', data: { case: id, outcome: 'withdrawn' } },
            meta(options.region),
          ),
        ]
      : []),
  ] as EventToAppend[]
  await store.append(`oversight-${id}`, events)
}
