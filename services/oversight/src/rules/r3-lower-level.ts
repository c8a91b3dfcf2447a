import type { FraudRule } from '../detectors/fraud-rule.ts'
import {
  certificateEventTypes,
  claimEventTypes,
  emptyWorkerRecord,
  evolveWorkerRecord,
  type WorkerRecord,
  workerOf,
  workerRecordKey,
} from './worker-record.ts'

// R3 (docs/fraud-rules.md): a claim for level L of an occupation while the worker already holds
// a certificate of a higher level of it (level 1 = 一级/高级技师 is the highest), issued on or
// before the claim's day and not revoked. Jiangsu local rule, NOT IN SEEDS.
export const r3LowerLevel: FraudRule<'R3'> = {
  id: 'R3',
  title: 'Lower level claimed after a higher certificate',
  reads: [...claimEventTypes, ...certificateEventTypes],
  keys: (event) => {
    const worker = workerOf(event)
    return worker ? [workerRecordKey(worker)] : []
  },
  async step(event, state, params) {
    const worker = workerOf(event)
    if (!worker) return []
    const key = workerRecordKey(worker)
    const record = (await state.get<WorkerRecord>(key)) ?? emptyWorkerRecord()
    const drafts = []
    if (event.type === 'SubsidyClaimSubmitted') {
      const d = event.data
      const level = d.level
      if (params.kinds.includes(d.kind) && d.occupationCode !== undefined && level !== undefined) {
        const higher = Object.entries(record.certificates).filter(
          ([, c]) =>
            !c.revoked &&
            c.occupation === d.occupationCode &&
            c.level !== undefined &&
            c.level < level &&
            c.issuedOn <= d.claimedOn,
        )
        if (higher.length > 0)
          drafts.push({
            subject: { kind: 'claim' as const, id: d.claim },
            occurrence: '',
            evidence: higher.map(([, c]) => c.event),
            summary: `claim ${d.claim} for level ${level} of ${d.occupationCode} while the worker holds ${higher.map(([id, c]) => `${id} (level ${c.level}, ${c.issuedOn})`).join(', ')}`,
            measures: { claimedLevel: level, heldLevel: Math.min(...higher.map(([, c]) => c.level!)) },
          })
      }
    }
    state.set(key, evolveWorkerRecord(record, event))
    return drafts
  },
}
