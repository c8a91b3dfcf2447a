import type { FraudRule } from '../detectors/fraud-rule.ts'
import {
  claimEventTypes,
  emptyWorkerRecord,
  evolveWorkerRecord,
  isStanding,
  levelName,
  type WorkerRecord,
  workerOf,
  workerRecordKey,
} from './worker-record.ts'

// R1 (docs/fraud-rules.md): two standing claims for one qualification — the same worker,
// occupation, level and subsidy kind — across institutions, regions or programmes. 同一职业（工种）
// 同一等级只能享受一次 is local practice (Shenzhen, Jiangsu), NOT IN SEEDS: the kinds it covers are
// parameters. Raised when the second claim is made, before any review or payment.
export const r1DuplicateClaim: FraudRule<'R1'> = {
  id: 'R1',
  title: 'Duplicate claim for one qualification',
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
    if (event.type === 'SubsidyClaimSubmitted') {
      const d = event.data
      if (params.kinds.includes(d.kind) && d.occupationCode !== undefined) {
        const same = Object.entries(record.claims).filter(
          ([id, c]) =>
            id !== d.claim &&
            isStanding(c) &&
            c.kind === d.kind &&
            c.occupation === d.occupationCode &&
            c.level === d.level,
        )
        if (same.length > 0)
          drafts.push({
            subject: { kind: 'claim' as const, id: d.claim },
            occurrence: '',
            evidence: same.map(([, c]) => c.event),
            summary: `${d.kind} claim ${d.claim} for occupation ${d.occupationCode} ${levelName(d.level)} while ${same.map(([id]) => id).join(', ')} for the same qualification still stands`,
            measures: { standingClaims: same.length + 1 },
          })
      }
    }
    state.set(key, evolveWorkerRecord(record, event))
    return drafts
  },
}
