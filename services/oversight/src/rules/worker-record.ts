import type { Envelope } from '@trec/contracts'

// What the claim rules (R1, R2, R3, R8) know of one worker: their subsidy claims and how each
// stands, and their certificates. Folded from `subsidy-{worker}` and `assessment-{worker}`.

export interface ClaimEntry {
  event: string
  kind: string
  occupation?: string
  level?: number
  claimedOn: string
  certificate?: string
  rejected: boolean
  paid: number
  clawedBack: number
}

export interface CertificateEntry {
  event: string
  occupation?: string
  level?: number
  issuedOn: string
  revoked: boolean
}

export interface WorkerRecord {
  claims: Record<string, ClaimEntry>
  certificates: Record<string, CertificateEntry>
}

export const claimEventTypes = [
  'SubsidyClaimSubmitted',
  'SubsidyClaimReviewed',
  'SubsidyClaimDecided',
  'SubsidyPaid',
  'SubsidyClawedBack',
] as const

export const certificateEventTypes = ['CertificateIssued', 'CertificateRevoked'] as const

export const workerRecordKey = (worker: string) => `w:${worker}`

export const emptyWorkerRecord = (): WorkerRecord => ({ claims: {}, certificates: {} })

/** A claim counts while it stands: not rejected, and not wholly clawed back. */
export function isStanding(c: ClaimEntry): boolean {
  return !c.rejected && !(c.paid > 0 && c.clawedBack >= c.paid)
}

/** Folds one event into the record (in place) and returns it. */
export function evolveWorkerRecord(record: WorkerRecord, event: Envelope): WorkerRecord {
  switch (event.type) {
    case 'SubsidyClaimSubmitted': {
      const d = event.data
      record.claims[d.claim] = {
        event: event.id,
        kind: d.kind,
        ...(d.occupationCode === undefined ? {} : { occupation: d.occupationCode }),
        ...(d.level === undefined ? {} : { level: d.level }),
        claimedOn: d.claimedOn,
        ...(d.certificate === undefined ? {} : { certificate: d.certificate }),
        rejected: false,
        paid: 0,
        clawedBack: 0,
      }
      break
    }
    case 'SubsidyClaimReviewed':
    case 'SubsidyClaimDecided': {
      const claim = record.claims[event.data.claim]
      if (claim && event.data.outcome === 'rejected') claim.rejected = true
      break
    }
    case 'SubsidyPaid': {
      const claim = record.claims[event.data.claim]
      if (claim) claim.paid += event.data.amount
      break
    }
    case 'SubsidyClawedBack': {
      const claim = record.claims[event.data.claim]
      if (claim) claim.clawedBack += event.data.amount
      break
    }
    case 'CertificateIssued': {
      const d = event.data
      record.certificates[d.certificate] = {
        event: event.id,
        ...(d.occupationCode === undefined ? {} : { occupation: d.occupationCode }),
        ...(d.level === undefined ? {} : { level: d.level }),
        issuedOn: d.issuedOn,
        revoked: false,
      }
      break
    }
    case 'CertificateRevoked': {
      const certificate = record.certificates[event.data.certificate]
      if (certificate) certificate.revoked = true
      break
    }
  }
  return record
}

/** The worker a claim or certificate event is about. */
export function workerOf(event: Envelope): string | undefined {
  const data = event.data as { worker?: unknown }
  return typeof data.worker === 'string' ? data.worker : undefined
}

export const levelName = (level: number | undefined) => (level === undefined ? 'no level' : `level ${level}`)
