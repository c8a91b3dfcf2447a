import type { DomainEvent, EventData } from '../registry.ts'

// Whether the record shows a worker in one of a subsidy kind's target groups on a day (D3
// 「符合条件的参训人员」; the groups of docs/domain.md §1.5). The one reading of eligibility: the
// subsidy gate calls it before paying, and the compliance read model calls it again on the
// evidence a payment cites, so the two agree on who was eligible.
//
// A worker is in a group on a day when a department's system attested it (WorkerGroupAttested)
// for a period that holds the day, and the kind accepts that group and, where it names them, that
// attesting system. The latest such attestation in the record is the one cited.

/** A group a rule set accepts, with the attesting systems whose word is taken (any when absent). */
export interface AcceptedGroup {
  group: string
  systems?: readonly string[] | undefined
}

export type GroupAttestation = {
  id: string
  type: 'WorkerGroupAttested'
  data: EventData<'WorkerGroupAttested'>
}

/** The worker's group attestations among `events`, in record order. */
export function groupAttestations(
  events: readonly (DomainEvent & { id: string })[],
  worker: string,
): GroupAttestation[] {
  return events.filter(
    (e): e is GroupAttestation => e.type === 'WorkerGroupAttested' && e.data.worker === worker,
  )
}

function holdsOn(data: EventData<'WorkerGroupAttested'>, day: string): boolean {
  return data.validFrom <= day && (data.validTo === undefined || data.validTo >= day)
}

/** The latest attestation that shows the worker in an accepted group on `day`, if any. */
export function groupShownOn(
  attestations: readonly GroupAttestation[],
  accepted: readonly AcceptedGroup[],
  day: string,
): GroupAttestation | undefined {
  return attestations.findLast(
    (a) =>
      holdsOn(a.data, day) &&
      accepted.some(
        (g) =>
          g.group === a.data.group && (g.systems === undefined || g.systems.includes(a.data.source.system)),
      ),
  )
}
