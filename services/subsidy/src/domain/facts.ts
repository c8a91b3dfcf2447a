import type { EventData, EventType } from '@trec/contracts'

// The record other contexts wrote, as the gate reads it: each event with its id, so a payment can
// name the events it was decided on (docs/architecture.md: "a payment event names the evidence it was
// decided on"). The service reads them from the worker's training, attendance, assessment and
// subsidy streams, the class, the catalogue and the institution; the domain only filters them.

export type Fact<T extends EventType = EventType> = T extends EventType
  ? { id: string; type: T; data: EventData<T> }
  : never

export interface Evidence {
  /** Every event read, in stream order within each stream. */
  facts: readonly Fact[]
}

export function factsOf<T extends EventType>(evidence: Evidence, type: T): Fact<T>[] {
  return evidence.facts.filter((f): f is Fact<T> => f.type === type)
}

export function lastFact<T extends EventType>(
  evidence: Evidence,
  type: T,
  where: (data: EventData<T>) => boolean = () => true,
): Fact<T> | undefined {
  return factsOf(evidence, type).findLast((f) => where(f.data as EventData<T>))
}
