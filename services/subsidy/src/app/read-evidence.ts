import { decodeRecorded } from '@trec/contracts'
import type { EventStore } from '@trec/eventstore'
import type { Evidence, Fact } from '../domain/facts.ts'

// Reads the record the gate judges from the streams other contexts own (the subsidy service only
// reads them, docs/architecture.md "Services never write each other's streams; they may read them").
// The read happens before the decision; a payment names the ids it read, so an auditor can check
// each was in the log before the payment, and anything written later (a revocation) is caught
// by the clawback flow, not hidden.

async function read(store: EventStore, stream: string): Promise<Fact[]> {
  const events = await store.readStream(stream)
  return events.map((recorded) => {
    const { id, type, data } = decodeRecorded(recorded)
    return { id, type, data } as Fact
  })
}

async function readAll(store: EventStore, streams: readonly string[]): Promise<Fact[]> {
  const unique = [...new Set(streams)]
  return (await Promise.all(unique.map((s) => read(store, s)))).flat()
}

/** The catalogue streams that can hold a programme of a class in `region`: county, city, province. */
export function catalogueStreams(region: string): string[] {
  const city = `${region.slice(0, 4)}00`
  const province = `${region.slice(0, 2)}0000`
  return [...new Set([region, city, province])].map((r) => `catalogue-${r}`)
}

/**
 * A class's own stream, the catalogue entries for the programme it was opened under, and the
 * stream of its other training base when it names one (企业新型学徒制).
 */
async function classFacts(store: EventStore, cls: string): Promise<Fact[]> {
  const facts = await read(store, `class-${cls}`)
  const applied = facts.findLast((f) => f.type === 'ClassOpeningApplied')
  if (applied?.type !== 'ClassOpeningApplied') return facts
  const base = applied.data.jointBase
  return [
    ...facts,
    ...(await readAll(store, [
      ...catalogueStreams(applied.data.region),
      ...(base === undefined ? [] : [`institution-${base}`]),
    ])),
  ]
}

export interface ClaimRecordRef {
  worker: string
  class?: string | undefined
  /** The institution or enterprise to be paid, if not the worker. */
  institution?: string | undefined
}

/** Everything the gate may need for one claim. */
export async function readClaimEvidence(store: EventStore, ref: ClaimRecordRef): Promise<Evidence> {
  const w = ref.worker
  const [worker, cls, institution] = await Promise.all([
    readAll(store, [
      `training-${w}`,
      `attendance-${w}`,
      `assessment-${w}`,
      `subsidy-${w}`,
      `employment-${w}`,
    ]),
    ref.class ? classFacts(store, ref.class) : [],
    ref.institution ? read(store, `institution-${ref.institution}`) : [],
  ])
  return { facts: [...worker, ...cls, ...institution] }
}

/** Everything an advance for a class needs: the class, its programme and its provider. */
export async function readClassEvidence(store: EventStore, cls: string): Promise<Evidence> {
  const facts = await classFacts(store, cls)
  const applied = facts.findLast((f) => f.type === 'ClassOpeningApplied')
  // The provider's stream and its 诚信等级 history (oversight-grade-…, read for the advance gate).
  const institution =
    applied?.type === 'ClassOpeningApplied'
      ? await readAll(store, [
          `institution-${applied.data.institution}`,
          `oversight-grade-${applied.data.institution}`,
        ])
      : []
  return { facts: [...facts, ...institution] }
}
