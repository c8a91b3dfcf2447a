import type { FraudRule } from '../detectors/fraud-rule.ts'
import {
  type CertificateEntry,
  certificateEventTypes,
  claimEventTypes,
  emptyWorkerRecord,
  evolveWorkerRecord,
  type WorkerRecord,
  workerOf,
  workerRecordKey,
} from './worker-record.ts'

// R8 (docs/fraud-rules.md): a claim of a kind that is paid on a certificate (技能提升补贴: D2
// 「取得…证书」) with no such certificate in the record when it is made, a certificate issued after
// the claim's day, or one since revoked. The certificate is the one the claim names, else one of
// the claim's occupation and level.
export const r8ClaimWithoutCertificate: FraudRule<'R8'> = {
  id: 'R8',
  title: 'Claim without a certificate, or before it',
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
    if (event.type === 'SubsidyClaimSubmitted' && params.kinds.includes(event.data.kind)) {
      const d = event.data
      let found: [string, CertificateEntry] | undefined
      if (d.certificate !== undefined) {
        const named = record.certificates[d.certificate]
        if (named) found = [d.certificate, named]
      } else
        found = Object.entries(record.certificates)
          .filter(([, c]) => c.occupation === d.occupationCode && c.level === d.level)
          .sort(([, a], [, b]) => a.issuedOn.localeCompare(b.issuedOn))[0]
      const subject = { kind: 'claim' as const, id: d.claim }
      if (!found)
        drafts.push({
          subject,
          occurrence: '',
          evidence: [],
          summary:
            d.certificate === undefined
              ? `${d.kind} claim ${d.claim} with no certificate of ${d.occupationCode ?? 'its occupation'} in the record`
              : `${d.kind} claim ${d.claim} names certificate ${d.certificate}, which is not in the worker's record`,
        })
      else {
        const [id, cert] = found
        if (cert.issuedOn > d.claimedOn)
          drafts.push({
            subject,
            occurrence: '',
            evidence: [cert.event],
            summary: `${d.kind} claim ${d.claim} made on ${d.claimedOn}, before certificate ${id} was issued on ${cert.issuedOn}`,
            measures: { daysEarly: (Date.parse(cert.issuedOn) - Date.parse(d.claimedOn)) / 86_400_000 },
          })
        else if (cert.revoked)
          drafts.push({
            subject,
            occurrence: '',
            evidence: [cert.event],
            summary: `${d.kind} claim ${d.claim} rests on certificate ${id}, which has been revoked`,
          })
      }
    }
    state.set(key, evolveWorkerRecord(record, event))
    return drafts
  },
}
