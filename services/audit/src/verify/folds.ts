import { decodeRecorded, isEventType } from '@trec/contracts'
import {
  archiveReferenceTypes,
  archiveWorkerTypes,
  type FoldEvent,
  foldWorkerArchive,
  workerOf,
} from '@trec/readmodels'
import type { Selection } from '../selection.ts'

// The replay: the verifier runs read-model code over the exported events and compares what it
// gets with what the API answered. A fold is pluggable and pure; it names the event types it
// reads, so others are skipped without being decoded. Events it reads are decoded as the read
// side decodes them (`decodeRecorded`: upcast to the current schema, checked against the
// contract), then handed over as @trec/readmodels' FoldEvent.
//
// - `worker-archive`: the lifelong archive of the selected worker, by @trec/readmodels'
//   `foldWorkerArchive`, the same code the archive projection and API run.
// - `worker-totals`: per worker, enrolments, completions (passed), certificates (issued,
//   revoked) and subsidies (paid, recovered, in fen), for exports of a claim, class or region.

/** An exported event as the verifier hands it to a fold. */
export interface ExportedEnvelope {
  id: string
  stream: string
  revision: number
  position: string
  type: string
  data: Record<string, unknown>
  metadata: Record<string, unknown>
  recordedAt: string
}

export interface ReplayFold {
  readonly name: string
  /** Types the fold reads; undefined: all. */
  readonly types?: ReadonlySet<string>
  step(event: FoldEvent): void
  result(): unknown
}

export type FoldFactory = (selection: Selection) => ReplayFold

/** The decoded fold event of an exported envelope. Throws if the event breaks its contract. */
export function toFoldEvent(envelope: ExportedEnvelope): FoldEvent {
  const data = isEventType(envelope.type)
    ? decodeRecorded({ ...envelope, position: BigInt(envelope.position) }).data
    : envelope.data
  const region = envelope.metadata.region
  return {
    id: envelope.id,
    type: envelope.type,
    position: BigInt(envelope.position),
    recordedAt: envelope.recordedAt,
    occurredAt: String(envelope.metadata.occurredAt),
    ...(typeof region === 'string' ? { region } : {}),
    data,
  }
}

export const workerArchiveFold: FoldFactory = (selection) => {
  if (selection.kind !== 'worker') throw new Error('the worker-archive fold replays a worker export')
  const events: FoldEvent[] = []
  return {
    name: 'worker-archive',
    types: new Set<string>([...archiveWorkerTypes, ...archiveReferenceTypes]),
    step: (event) => void events.push(event),
    result: () => foldWorkerArchive(selection.worker, events),
  }
}

interface Totals {
  enrolments: number
  completions: number
  passed: number
  certificatesIssued: number
  certificatesRevoked: number
  payments: number
  paid: number
  clawbacks: number
  clawedBack: number
}

export const workerTotalsFold: FoldFactory = () => {
  const byWorker = new Map<string, Totals>()
  const totals = (worker: string) => {
    let t = byWorker.get(worker)
    if (!t) {
      t = {
        enrolments: 0,
        completions: 0,
        passed: 0,
        certificatesIssued: 0,
        certificatesRevoked: 0,
        payments: 0,
        paid: 0,
        clawbacks: 0,
        clawedBack: 0,
      }
      byWorker.set(worker, t)
    }
    return t
  }
  return {
    name: 'worker-totals',
    types: new Set([
      'WorkerEnrolled',
      'TrainingCompleted',
      'CertificateIssued',
      'CertificateRevoked',
      'SubsidyPaid',
      'SubsidyClawedBack',
    ]),
    step(event) {
      const worker = workerOf(event)
      if (worker === undefined) return
      const t = totals(worker)
      const data = event.data as { passed?: boolean; amount?: number }
      if (event.type === 'WorkerEnrolled') t.enrolments += 1
      else if (event.type === 'TrainingCompleted') {
        t.completions += 1
        if (data.passed === true) t.passed += 1
      } else if (event.type === 'CertificateIssued') t.certificatesIssued += 1
      else if (event.type === 'CertificateRevoked') t.certificatesRevoked += 1
      else if (event.type === 'SubsidyPaid') {
        t.payments += 1
        t.paid += data.amount ?? 0
      } else if (event.type === 'SubsidyClawedBack') {
        t.clawbacks += 1
        t.clawedBack += data.amount ?? 0
      }
    },
    result: () => ({ workers: Object.fromEntries([...byWorker].sort(([a], [b]) => (a < b ? -1 : 1))) }),
  }
}

export const folds: Record<string, FoldFactory> = {
  'worker-archive': workerArchiveFold,
  'worker-totals': workerTotalsFold,
}

/** The fold a selection replays by default. */
export function defaultFold(selection: Selection): string {
  return selection.kind === 'worker' ? 'worker-archive' : 'worker-totals'
}
