import type { EventData } from '@trec/contracts'
import { allOf, canonical, type FoldEvent, is, workerOf } from './events.ts'
import { type RecoveryHistory, recoveryHistories, recoveryHistoryTypes } from './recovery-history.ts'
import { chinaYear, notAfter } from './time.ts'

// The lifelong archive (终身职业技能培训电子档案, D3 「以电子社保卡为载体」) of one worker: the
// trainings with their class, programme, occupation, level, hours and completion; assessments;
// certificates; subsidies received, by year. A pure function of the record, so the projection,
// the card-service API for past dates, the tests and the auditor's verifier give the same answer.
//
// "As of" is transaction time: an event counts if the store had recorded it by `asOf`
// (`recordedAt ≤ asOf`). The archive as of T is then exactly what a card service would have been
// told at T, and it never changes afterwards, even when events about earlier days (a completion
// reported late) are recorded later. When things happened is shown in each entry (valid time:
// enrolledAt, completedAt, issuedOn, paidAt), never used to cut the record.

export interface ArchiveTraining {
  class: string
  institution?: string
  institutionName?: string
  programme?: string
  occupationCode?: string
  occupationTitle?: string
  level?: number
  subsidyKind?: string
  region?: string
  mode?: string
  plannedHours?: number
  enrolledAt?: string
  /** The latest real-name check for the class (or tied to no class) says verified. */
  identityVerified: boolean
  /**
   * That latest check: how it was made, who answered, when, and for a signed attestation its
   * issuer and hash (never a photo: the record holds none).
   */
  identityCheck?: ArchiveIdentityCheck
  status: 'enrolled' | 'passed' | 'not_passed'
  completion?: {
    completedAt: string
    attendedHours: number
    requiredHours: number
    attendanceShare: number
    passed: boolean
  }
}

export interface ArchiveIdentityCheck {
  method: string
  result: string
  verifiedBy: { kind: string; id: string }
  checkedAt: string
  /** Present when the check rests on a signed attestation of a trusted identity source. */
  attestation?: { issuer: string; issuedAt: string; sha256: string }
}

export interface ArchiveAssessment {
  assessment: string
  class?: string
  occupationCode?: string
  level?: number
  score?: number
  passed: boolean
  evaluator: { kind: string; id: string }
  assessedOn: string
}

export interface ArchiveCertificate {
  certificate: string
  kind: string
  serial: string
  issuer: { kind: string; id: string }
  occupationCode?: string
  level?: number
  itemCode?: string
  issuedOn: string
  validUntil?: string
  status: 'issued' | 'revoked'
  revokedAt?: string
  revocationReason?: string
}

export interface ArchivePayment {
  claim: string
  kind?: string
  class?: string
  amount: number
  payee: { kind: string; id: string }
  paidAt: string
  year: number
  /** Recovered from this payment's claim so far (追回). */
  clawedBack: number
}

export interface ArchiveSubsidyYear {
  year: number
  payments: number
  /** Fen paid in the year. */
  paid: number
  /** Fen recovered in the year (by when the clawback happened). */
  clawedBack: number
  net: number
}

export interface WorkerArchive {
  worker: string
  /** The transaction-time cut-off applied, or null for the whole record. */
  asOf: string | null
  /** Whether the record holds anything about the worker (up to `asOf`). */
  found: boolean
  /** The global position of the last event counted (as a decimal string), `0` when none. */
  throughPosition: string
  trainings: ArchiveTraining[]
  assessments: ArchiveAssessment[]
  certificates: ArchiveCertificate[]
  subsidies: { byYear: ArchiveSubsidyYear[]; payments: ArchivePayment[]; recoveries: RecoveryHistory[] }
  totals: {
    trainings: number
    passed: number
    /** Hours attended over all completions. */
    hours: number
    /** Certificates not revoked. */
    certificates: number
    /** Fen paid less fen recovered. */
    subsidyNet: number
  }
}

/** The event types the archive reads: the worker's own, and the class, programme and institution facts. */
export const archiveWorkerTypes = [
  'WorkerEnrolled',
  'IdentityVerified',
  'TrainingCompleted',
  'AssessmentResultRecorded',
  'CertificateIssued',
  'CertificateRevoked',
  'SubsidyClaimSubmitted',
  'SubsidyPaid',
  'SubsidyClawedBack',
  ...recoveryHistoryTypes,
] as const
export const archiveReferenceTypes = [
  'ClassOpeningApplied',
  'ProgrammePublished',
  'InstitutionDesignated',
] as const

export interface ArchiveOptions {
  /** Count only events recorded at or before this instant (ISO 8601). */
  asOf?: string
}

/**
 * Folds the record into one worker's archive. `events` may hold anything: events of other
 * workers and of types the archive does not read are ignored, duplicates (same id) count once,
 * and the order given does not matter (the record's global order is used).
 */
export function foldWorkerArchive(
  worker: string,
  events: readonly FoldEvent[],
  options: ArchiveOptions = {},
): WorkerArchive {
  const { asOf } = options
  const record = canonical(events).filter((e) => asOf === undefined || notAfter(e.recordedAt, asOf))
  const classes = new Map<string, EventData<'ClassOpeningApplied'>>()
  const programmes = new Map<string, EventData<'ProgrammePublished'>>()
  const institutions = new Map<string, string>()
  for (const e of record) {
    if (is(e, 'ClassOpeningApplied')) classes.set(e.data.class, e.data)
    else if (is(e, 'ProgrammePublished')) programmes.set(e.data.programme, e.data)
    else if (is(e, 'InstitutionDesignated')) institutions.set(e.data.institution, e.data.legalName)
  }
  const own = record.filter(
    (e) => workerOf(e) === worker && (archiveWorkerTypes as readonly string[]).includes(e.type),
  )

  const trainings = new Map<string, ArchiveTraining>()
  const training = (cls: string, institution?: string): ArchiveTraining => {
    let t = trainings.get(cls)
    if (!t) {
      const applied = classes.get(cls)
      const programme = applied ? programmes.get(applied.programme) : undefined
      const inst = institution ?? applied?.institution
      t = {
        class: cls,
        ...(inst === undefined ? {} : { institution: inst }),
        ...(inst !== undefined && institutions.has(inst) ? { institutionName: institutions.get(inst)! } : {}),
        ...(applied
          ? {
              programme: applied.programme,
              region: applied.region,
              mode: applied.mode,
              plannedHours: applied.plannedHours,
            }
          : {}),
        ...(programme
          ? {
              occupationCode: programme.occupationCode,
              occupationTitle: programme.occupationTitle,
              ...(programme.level === undefined ? {} : { level: programme.level }),
              subsidyKind: programme.subsidyKind,
            }
          : {}),
        identityVerified: false,
        status: 'enrolled',
      }
      trainings.set(cls, t)
    }
    return t
  }

  const certificates = new Map<string, ArchiveCertificate>()
  const assessments: ArchiveAssessment[] = []
  const claims = new Map<string, { kind: string; class?: string }>()
  const payments: ArchivePayment[] = []
  const clawbacks: { claim: string; amount: number; year: number }[] = []
  const checks: { class?: string; verified: boolean; check: ArchiveIdentityCheck }[] = []

  for (const e of own) {
    if (is(e, 'WorkerEnrolled')) {
      const t = training(e.data.class, e.data.institution)
      t.enrolledAt ??= e.occurredAt
    } else if (is(e, 'IdentityVerified')) {
      const a = e.data.attestation
      checks.push({
        ...(e.data.class === undefined ? {} : { class: e.data.class }),
        verified: e.data.result === 'verified',
        check: {
          method: e.data.method,
          result: e.data.result,
          verifiedBy: e.data.verifiedBy,
          checkedAt: e.occurredAt,
          ...(a ? { attestation: { issuer: a.issuer, issuedAt: a.issuedAt, sha256: a.sha256 } } : {}),
        },
      })
    } else if (is(e, 'TrainingCompleted')) {
      const t = training(e.data.class)
      t.completion = {
        completedAt: e.occurredAt,
        attendedHours: e.data.attendedHours,
        requiredHours: e.data.requiredHours,
        attendanceShare: e.data.attendanceShare,
        passed: e.data.passed,
      }
      t.status = e.data.passed ? 'passed' : 'not_passed'
    } else if (is(e, 'AssessmentResultRecorded')) {
      const d = e.data
      assessments.push({
        assessment: d.assessment,
        ...(d.class === undefined ? {} : { class: d.class }),
        ...(d.occupationCode === undefined ? {} : { occupationCode: d.occupationCode }),
        ...(d.level === undefined ? {} : { level: d.level }),
        ...(d.score === undefined ? {} : { score: d.score }),
        passed: d.passed,
        evaluator: d.evaluator,
        assessedOn: d.assessedOn,
      })
    } else if (is(e, 'CertificateIssued')) {
      const d = e.data
      certificates.set(d.certificate, {
        certificate: d.certificate,
        kind: d.kind,
        serial: d.serial,
        issuer: d.issuer,
        ...(d.occupationCode === undefined ? {} : { occupationCode: d.occupationCode }),
        ...(d.level === undefined ? {} : { level: d.level }),
        ...(d.itemCode === undefined ? {} : { itemCode: d.itemCode }),
        issuedOn: d.issuedOn,
        ...(d.validUntil === undefined ? {} : { validUntil: d.validUntil }),
        status: 'issued',
      })
    } else if (is(e, 'CertificateRevoked')) {
      const c = certificates.get(e.data.certificate)
      if (c) {
        c.status = 'revoked'
        c.revokedAt = e.occurredAt
        c.revocationReason = e.data.reason
      }
    } else if (is(e, 'SubsidyClaimSubmitted')) {
      claims.set(e.data.claim, {
        kind: e.data.kind,
        ...(e.data.class === undefined ? {} : { class: e.data.class }),
      })
    } else if (is(e, 'SubsidyPaid')) {
      payments.push({
        claim: e.data.claim,
        amount: e.data.amount,
        payee: e.data.payee,
        paidAt: e.occurredAt,
        year: chinaYear(e.occurredAt),
        clawedBack: 0,
      })
    } else if (is(e, 'SubsidyClawedBack')) {
      clawbacks.push({ claim: e.data.claim, amount: e.data.amount, year: chinaYear(e.occurredAt) })
    }
  }

  // The latest check decides (a later mismatch undoes an earlier match), as at the subsidy gate.
  for (const t of trainings.values()) {
    const relevant = checks.filter((c) => c.class === undefined || c.class === t.class)
    const latest = relevant.at(-1)
    t.identityVerified = latest?.verified ?? false
    if (latest) t.identityCheck = latest.check
  }
  for (const p of payments) {
    const claim = claims.get(p.claim)
    if (claim) {
      p.kind = claim.kind
      if (claim.class !== undefined) p.class = claim.class
    }
  }
  // A clawback is set against the claim's payments in order, never beyond what each paid.
  for (const c of clawbacks) {
    let left = c.amount
    for (const p of payments)
      if (p.claim === c.claim && left > 0) {
        const take = Math.min(left, p.amount - p.clawedBack)
        p.clawedBack += take
        left -= take
      }
  }
  const years = new Map<number, ArchiveSubsidyYear>()
  const year = (y: number) => {
    const row = years.get(y) ?? { year: y, payments: 0, paid: 0, clawedBack: 0, net: 0 }
    years.set(y, row)
    return row
  }
  for (const p of payments) {
    const row = year(p.year)
    row.payments += 1
    row.paid += p.amount
    row.net += p.amount
  }
  for (const c of clawbacks) {
    const row = year(c.year)
    row.clawedBack += c.amount
    row.net -= c.amount
  }

  const trainingList = [...trainings.values()]
  const certificateList = [...certificates.values()]
  const byYear = [...years.values()].sort((a, b) => a.year - b.year)
  return {
    worker,
    asOf: asOf ?? null,
    found: own.length > 0,
    throughPosition: (own.at(-1)?.position ?? 0n).toString(),
    trainings: trainingList,
    assessments,
    certificates: certificateList,
    subsidies: { byYear, payments, recoveries: recoveryHistories(own) },
    totals: {
      trainings: trainingList.length,
      passed: trainingList.filter((t) => t.status === 'passed').length,
      hours: trainingList.reduce((sum, t) => sum + (t.completion?.attendedHours ?? 0), 0),
      certificates: certificateList.filter((c) => c.status === 'issued').length,
      subsidyNet: byYear.reduce((sum, y) => sum + y.net, 0),
    },
  }
}

/** The classes, programmes and institutions a worker's archive needs facts about. */
export function archiveReferences(events: readonly FoldEvent[]): {
  classes: string[]
  institutions: string[]
} {
  const classes = new Set<string>()
  const institutions = new Set<string>()
  for (const e of allOf(events, 'WorkerEnrolled')) {
    classes.add(e.data.class)
    institutions.add(e.data.institution)
  }
  for (const e of allOf(events, 'TrainingCompleted')) classes.add(e.data.class)
  return { classes: [...classes].sort(), institutions: [...institutions].sort() }
}
