import { reject } from '@trec/command'
import { decodeRecorded, type EventData } from '@trec/contracts'
import type { ResolvedOptions } from '../options.ts'

// What a sanction cites when it rests on a supervision finding (CaseSanctionDecided.grounds): the
// breached commitment, the 不合格 annual inspection or the 双随机 result that found a problem,
// each against the institution the sanction targets. Read from the stream, the source of truth.

export type GroundsKind = NonNullable<EventData<'CaseSanctionDecided'>['grounds']>['kind']

const streamOf: Record<GroundsKind, (ref: string) => boolean> = {
  commitment_breach: (ref) => ref.startsWith('commitment-'),
  annual_inspection: (ref) => ref.startsWith('annual-'),
  sampling_result: (ref) => ref.startsWith('sampling-'),
}

const refuse = (message: string): never => reject({ rule: 'sanction-grounds', message })

/** The event of `ref` a sanction of `institution` may rest on, or a 422 naming why none. */
export async function groundsEvent(
  options: ResolvedOptions,
  grounds: { kind: GroundsKind; ref: string },
  target: { kind: string; id: string },
): Promise<string> {
  if (target.kind !== 'institution') refuse('a sanction citing a supervision finding targets an institution')
  if (!streamOf[grounds.kind](grounds.ref))
    refuse(`${grounds.ref} is not a ${grounds.kind.replace('_', ' ')}`)
  for (const recorded of await options.store.readStream(`oversight-${grounds.ref}`)) {
    const e = decodeRecorded(recorded)
    if (
      (e.type === 'CommitmentChecked' && e.data.result === 'breached' && e.data.institution === target.id) ||
      (e.type === 'AnnualInspectionRecorded' &&
        e.data.result === 'unqualified' &&
        e.data.institution === target.id) ||
      (e.type === 'SamplingResultRecorded' &&
        e.data.outcome !== 'compliant' &&
        e.data.institution === target.id)
    )
      return e.id
  }
  return refuse(`${grounds.ref} records no breach, 不合格 or problem found of ${target.id}`)
}
