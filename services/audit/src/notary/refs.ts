import type { RecordedEvent } from '@trec/eventstore'
import { citedBy, claimOf, classesOf, occurredAtOf, regionOf, workersOf } from '../selection.ts'
import type { RefKind } from '../sql/audit-db.ts'

// What an event is about, for export selections: the worker (by pseudonym), the class, the claim
// and the region it names, and the events it cites as evidence. Read from the event generically
// (see selection.ts), so events of any context are indexed without the audit service knowing
// their types.

export interface EventRefs {
  worker: string | null
  class: string | null
  claim: string | null
  region: string | null
  /** `metadata.occurredAt` as an ISO 8601 instant (millisecond precision), or null. */
  occurredAt: string | null
  /** Evidence it cites, and a second worker or class when it names two. */
  refs: [RefKind, string][]
}

const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/

export function refsOf(event: RecordedEvent): EventRefs {
  const refs: [RefKind, string][] = []
  const [worker, ...otherWorkers] = workersOf(event)
  const [cls, ...otherClasses] = classesOf(event).filter((c) => c.length <= 128)
  for (const w of otherWorkers) refs.push(['w', w])
  for (const c of otherClasses) refs.push(['c', c])
  for (const id of new Set(citedBy(event))) if (uuid.test(id)) refs.push(['e', id])
  const claim = claimOf(event)
  const at = occurredAtOf(event)
  return {
    worker: worker ?? null,
    class: cls ?? null,
    claim: claim !== undefined && claim.length <= 128 ? claim : null,
    region: regionOf(event) ?? null,
    occurredAt: at === undefined ? null : new Date(at).toISOString(),
    refs,
  }
}
