import type { FraudRule } from '../detectors/fraud-rule.ts'
import {
  claimEventTypes,
  emptyWorkerRecord,
  evolveWorkerRecord,
  isStanding,
  type WorkerRecord,
  workerOf,
  workerRecordKey,
} from './worker-record.ts'

// R2 (docs/fraud-rules.md): more standing claims in one calendar year than the cap (3 under the
// Shenzhen and Jiangsu rules; 1 for students under another local rule), NOT IN SEEDS. The year
// is the claim's `claimedOn` (a day in UTC+8). Raised on the claim that goes over the cap.
export const r2YearlyCap: FraudRule<'R2'> = {
  id: 'R2',
  title: 'Yearly subsidy cap exceeded',
  reads: claimEventTypes,
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
    if (event.type === 'SubsidyClaimSubmitted' && params.kinds.includes(event.data.kind)) {
      const d = event.data
      const year = d.claimedOn.slice(0, 4)
      const taken = Object.entries(record.claims).filter(
        ([id, c]) =>
          id !== d.claim &&
          isStanding(c) &&
          params.kinds.includes(c.kind as never) &&
          c.claimedOn.startsWith(year),
      )
      if (taken.length + 1 > params.max)
        drafts.push({
          subject: { kind: 'claim' as const, id: d.claim },
          occurrence: '',
          evidence: taken.map(([, c]) => c.event),
          summary: `claim ${d.claim} is subsidy ${taken.length + 1} of ${year} for this worker, above the cap of ${params.max} (${params.kinds.join(', ')})`,
          measures: { claimsInYear: taken.length + 1, cap: params.max },
        })
    }
    state.set(key, evolveWorkerRecord(record, event))
    return drafts
  },
}
