import type { EventData, ScheduledSession } from '@trec/contracts'
import { utcInstant } from '@trec/core'
import { type BackingRuleSet, ruleSetFor } from './backing-rules.ts'
import { compactIds, expandIds } from './compact-ids.ts'
import { allOf, canonical, type FoldEvent, is, lastOf, workerOf } from './events.ts'
import { type BackingReason, type CitedEvidence, paymentBacking } from './payment-backing.ts'
import { type RecoveryHistory, recoveryHistories, recoveryHistoryTypes } from './recovery-history.ts'
import { addDays, chinaDay, quarterOf } from './time.ts'

// One worker's part of the compliance read model: every payment with its backing (凡补必进), and
// every completion with the facts the KPIs count (D2, D3 绩效评估: 培训合格率, 取证率 by the five
// certificate kinds, 就业创业成功率). A pure function of the worker's record and the facts about
// the classes and programmes it names, so the projection recomputes a worker whenever any of
// them arrives, in any order, and ends with the same rows as a rebuild.

/** NOT IN SEEDS (docs/domain.md §4): the window after completion in which employment counts. */
export const defaultEmploymentWindowDays = 180

export interface ComplianceOptions {
  /** The subsidy rule sets payments name (`{ id, version }`). */
  rules: readonly BackingRuleSet[]
  employmentWindowDays?: number
}

export interface PaymentRecord {
  /** The SubsidyPaid event's id. */
  payment: string
  position: string
  worker: string
  claim: string
  paymentRef: string
  /** The whole subsidy the payment settles, in fen. */
  amount: number
  /** The part the class's advance had already paid (AdvanceApplied); the transfer is the rest. */
  advanceApplied: number
  /** Fen actually transferred for this payment: amount − advanceApplied. */
  transfer: number
  payee: { kind: string; id: string }
  kind: string | null
  class: string | null
  institution: string | null
  /** The claim's region (GB/T 2260), else the payment envelope's. */
  region: string | null
  paidAt: string
  paidOn: string
  quarter: string
  ruleSet: { id: string; version: number }
  fundSource: string | null
  /** Fen recovered from the claim so far, set against its payments in order. */
  clawedBack: number
  /** The recovery accounts of the claim's clawbacks, with their repayments and write-off. */
  recoveries: RecoveryHistory[]
  /** Population groups attested for the worker on the day paid. */
  groups: string[]
  backed: boolean
  reasons: BackingReason[]
  warnings: BackingReason[]
  cited: CitedEvidence[]
}

export interface CompletionRecord {
  /** The TrainingCompleted event's id (the latest for the worker and class). */
  completion: string
  position: string
  worker: string
  class: string
  institution: string | null
  region: string | null
  programme: string | null
  occupationCode: string | null
  completedAt: string
  completedOn: string
  quarter: string
  passed: boolean
  /** Kinds of the worker's unrevoked certificates that come from this training (sorted). */
  certificateKinds: string[]
  /** Employed or self-employed within the window after completion (就业创业). */
  employed: boolean
  employment: { outcome: string; source: string; observedAt: string } | null
}

export interface WorkerCompliance {
  payments: PaymentRecord[]
  completions: CompletionRecord[]
}

/** The event types this fold reads about the worker (all carry `data.worker`). */
export const complianceWorkerTypes = [
  'WorkerEnrolled',
  'IdentityVerified',
  'FaceCheckRecorded',
  'OnlineLearningSegmentRecorded',
  'TrainingCompleted',
  'AssessmentResultRecorded',
  'CertificateIssued',
  'CertificateRevoked',
  'SubsidyClaimSubmitted',
  'SubsidyClaimReviewed',
  'SubsidyClaimDecided',
  'ContributionHistoryAttested',
  'SubsidyPaid',
  'AdvanceApplied',
  'SubsidyClawedBack',
  ...recoveryHistoryTypes,
  'EmploymentOutcomeObserved',
  'WorkerGroupAttested',
  // Appended last: a kept row names its type by its index in this list.
  'CardTapRecorded',
] as const
/**
 * The types a worker's rows come from: a payment record per SubsidyPaid, a completion record per
 * TrainingCompleted. The fold of a worker with neither yields no rows, whatever else they have.
 */
export const complianceRecordTypes = ['TrainingCompleted', 'SubsidyPaid'] as const
/**
 * The worker event types the fold reads only for a payment: as evidence the payment cites, or as
 * a fact before it (`paymentBacking`: the latest real-name check and claim decision before it).
 * A fact of these types changes a worker's rows only when it comes before one of the worker's
 * payments, or when a payment cites an event not in the record yet: past `quietAfter` it changes
 * nothing, so a read model need not fold the worker again for it (the face checks that come after
 * a worker's completion, most of the feed). Nor, while the worker has no SubsidyPaid, does the fold
 * read them (nor a class's schedule, ClassOpened): a read model need not load them for it.
 * Change it with the fold.
 */
export const complianceInertTypes: ReadonlySet<string> = new Set([
  'WorkerEnrolled',
  'IdentityVerified',
  'FaceCheckRecorded',
  'OnlineLearningSegmentRecorded',
  'CardTapRecorded',
  'SubsidyClaimReviewed',
  'SubsidyClaimDecided',
  'ContributionHistoryAttested',
])

/** Whether a payment cites an event the record lacks (yet): any fact may then change it. */
export function awaitsEvidence(payment: PaymentRecord): boolean {
  return payment.cited.some((c) => !c.present)
}

/** Greater than any position: a payment awaits cited evidence, so every fact may change it. */
export const neverQuiet = 2n ** 63n - 1n

/**
 * The position after which a fact of `complianceInertTypes` leaves these rows as they are: the
 * worker's last payment, or `neverQuiet` while a payment cites an event the record lacks (0 with
 * no payment: completions read none of those types).
 */
export function quietAfter(rows: WorkerCompliance): bigint {
  let after = 0n
  for (const p of rows.payments) {
    if (awaitsEvidence(p)) return neverQuiet
    const position = BigInt(p.position)
    if (position > after) after = position
  }
  return after
}

/** Facts about classes and programmes it reads. */
export const complianceReferenceTypes = ['ClassOpeningApplied', 'ClassOpened', 'ProgrammePublished'] as const

/**
 * What this fold reads of each worker event's data besides `worker`, for a read model that keeps
 * only that (compliance keeps no copies of event bodies): the types listed are kept as the values
 * of these fields alone, in this order (`liveness` as its `passed`), every other type whole.
 * `class` is kept apart (`PackedComplianceData.class`), for the types listed with it and every
 * type kept whole. Change it with the fold, and bump the read model's version.
 */
const foldedFields: Partial<Record<string, readonly string[]>> = {
  FaceCheckRecorded: ['class', 'session', 'checkedAt', 'result', 'liveness'],
  OnlineLearningSegmentRecorded: ['class', 'start', 'end', 'playbackRate'],
  CardTapRecorded: ['class', 'session', 'tappedAt', 'purpose'],
  TrainingCompleted: ['class', 'passed', 'attendanceShare'],
  IdentityVerified: ['class', 'result'],
  // Read only as cited evidence: their type and position.
  SubsidyClaimReviewed: [],
  ContributionHistoryAttested: [],
}

/** Of the types read whole, a list of event ids kept as one string (`compactIds`): a payment's evidence. */
const idListField: Partial<Record<string, string>> = {
  SubsidyPaid: 'evidence',
  SubsidyClawedBack: 'evidence',
}

/** Of the types listed, the fields kept in `data`, in order: all but `class`. */
const dataFields = new Map(
  Object.entries(foldedFields).map(([type, fields]) => [type, fields!.filter((k) => k !== 'class')]),
)

/** The types whose `occurredAt` the fold reads (and `region`, of SubsidyPaid). */
export const complianceTimedTypes: ReadonlySet<string> = new Set(['SubsidyPaid', 'TrainingCompleted'])

/** What `packComplianceData` keeps of a worker event. */
export interface PackedComplianceData {
  /**
   * The class the event names, where the fold reads it (a string in every contract that has one):
   * apart from `data`, so that a read model can keep it as a narrow key of its own (most worker
   * events name one of the worker's few classes).
   */
  class: string | null
  /** The rest: the values of the fields the fold reads (an array, absent fields as null), or the data less `worker` and `class`. */
  data: unknown
}

/**
 * What a read model keeps of a worker event's (already slimmed) data for this fold, without
 * `worker`: the class apart, and the values of the fields it reads or, for a type read whole,
 * the rest of the data. `unpackComplianceData` gives the data back as the fold reads it.
 */
export function packComplianceData(type: string, data: Record<string, unknown>): PackedComplianceData {
  const fields = foldedFields[type]
  const cls =
    typeof data.class === 'string' && (fields === undefined || fields.includes('class')) ? data.class : null
  if (fields === undefined) {
    const out: Record<string, unknown> = {}
    for (const [k, v] of Object.entries(data))
      if (k !== 'worker' && !(k === 'class' && cls !== null)) out[k] = v
    const ids = idListField[type]
    const list = ids === undefined ? undefined : data[ids]
    const compact = Array.isArray(list) ? compactIds(list) : undefined
    if (compact !== undefined) out[ids!] = compact
    return { class: cls, data: out }
  }
  const values = dataFields.get(type)!.map((k) => {
    const v = k === 'liveness' ? (data[k] as { passed?: unknown } | undefined)?.passed : data[k]
    if (v === undefined) return null
    // An instant as its milliseconds when that gives it back exactly; a session named after its
    // class as the rest of its name (in an array, to tell it from a whole name).
    const ms = instantFields.has(k) && typeof v === 'string' ? msOf(v) : undefined
    if (ms !== undefined) return ms
    if (k === 'session' && typeof v === 'string' && cls !== null && v.startsWith(cls))
      return [v.slice(cls.length)]
    return v
  })
  return { class: cls, data: values }
}

const instantFields = new Set(['checkedAt', 'start', 'end', 'tappedAt'])

/** The milliseconds of an ISO instant written as `toISOString` writes it, else undefined. */
function msOf(text: string): number | undefined {
  // Most instants are in the stored form, which utcInstant reads exactly, without writing it out.
  const quick = text.length === 24 ? utcInstant(text) : undefined
  if (quick !== undefined) return quick
  const ms = Date.parse(text)
  if (!Number.isFinite(ms)) return undefined
  return new Date(ms).toISOString() === text ? ms : undefined
}

/** The data the fold reads, from what `packComplianceData` kept and the worker's pseudonym. */
export function unpackComplianceData(
  type: string,
  packed: PackedComplianceData,
  worker: string,
): Record<string, unknown> {
  const out: Record<string, unknown> = { worker }
  if (packed.class !== null) out.class = packed.class
  const fields = dataFields.get(type)
  if (fields === undefined) {
    const whole = { ...(packed.data as Record<string, unknown>), ...out }
    const ids = idListField[type]
    if (ids !== undefined && typeof whole[ids] === 'string') whole[ids] = expandIds(whole[ids])
    return whole
  }
  const values = packed.data as unknown[]
  fields.forEach((k, i) => {
    const v = values[i]
    if (v === null || v === undefined) return
    if (k === 'liveness') out[k] = { passed: v }
    else if (instantFields.has(k) && typeof v === 'number') out[k] = new Date(v).toISOString()
    else if (k === 'session' && Array.isArray(v)) out[k] = `${packed.class ?? ''}${v[0] as string}`
    else out[k] = v
  })
  return out
}

/** `complianceWorkerTypes` to look up in: the fold asks it of every event of a worker's record. */
const complianceWorkerTypeSet = new Set<string>(complianceWorkerTypes)

export function foldWorkerCompliance(
  worker: string,
  events: readonly FoldEvent[],
  options: ComplianceOptions,
): WorkerCompliance {
  const record = canonical(events)
  const own = record.filter((e) => workerOf(e) === worker && complianceWorkerTypeSet.has(e.type))
  const classes = new Map<string, EventData<'ClassOpeningApplied'>>()
  const schedules = new Map<string, ScheduledSession[]>()
  const programmes = new Map<string, EventData<'ProgrammePublished'>>()
  for (const e of record) {
    if (is(e, 'ClassOpeningApplied')) classes.set(e.data.class, e.data)
    else if (is(e, 'ClassOpened')) schedules.set(e.data.class, e.data.sessions)
    else if (is(e, 'ProgrammePublished')) programmes.set(e.data.programme, e.data)
  }
  return {
    payments: paymentsOf(worker, own, classes, schedules, options),
    completions: completionsOf(worker, own, classes, programmes, options),
  }
}

function paymentsOf(
  worker: string,
  own: readonly FoldEvent[],
  classes: ReadonlyMap<string, EventData<'ClassOpeningApplied'>>,
  schedules: ReadonlyMap<string, readonly ScheduledSession[]>,
  options: ComplianceOptions,
): PaymentRecord[] {
  const paid = allOf(own, 'SubsidyPaid')
  const applied = new Map<string, number>()
  // An AdvanceApplied is appended with its SubsidyPaid, after it: it belongs to the claim's latest
  // payment before it.
  for (const a of allOf(own, 'AdvanceApplied')) {
    const p = paid.filter((x) => x.data.claim === a.data.claim && x.position < a.position).at(-1)
    if (p) applied.set(p.id, (applied.get(p.id) ?? 0) + a.data.amount)
  }
  const clawed = new Map<string, number>()
  const clawbacks = allOf(own, 'SubsidyClawedBack')
  for (const c of clawbacks) {
    let left = c.data.amount
    for (const p of paid)
      if (p.data.claim === c.data.claim && left > 0) {
        const take = Math.min(left, p.data.amount - (clawed.get(p.id) ?? 0))
        clawed.set(p.id, (clawed.get(p.id) ?? 0) + take)
        left -= take
      }
  }
  const groups = allOf(own, 'WorkerGroupAttested')
  const recoveries = recoveryHistories(own)
  return paid.map((p) => {
    const claim = lastOf(
      own.filter((e) => e.position < p.position),
      'SubsidyClaimSubmitted',
      (c) => c.claim === p.data.claim,
    )
    const cls = claim?.data.class
    const applied0 = cls ? classes.get(cls) : undefined
    const sessions = cls ? schedules.get(cls) : undefined
    const rules = ruleSetFor(options.rules, p.data.ruleSet)
    const backing = paymentBacking(p, own, {
      ...(rules ? { rules } : {}),
      ...(sessions ? { sessions } : {}),
    })
    const earlier = paid.find((x) => x.data.claim === p.data.claim && x.position < p.position)
    if (earlier)
      backing.reasons.push({
        code: 'claim-paid-before',
        message: 'the claim was already paid',
        details: { earlier: earlier.id, paymentRef: earlier.data.paymentRef },
      })
    const paidOn = chinaDay(p.occurredAt)
    const advance = applied.get(p.id) ?? 0
    const institution = applied0?.institution ?? (p.data.payee.kind === 'worker' ? null : p.data.payee.id)
    return {
      payment: p.id,
      position: p.position.toString(),
      worker,
      claim: p.data.claim,
      paymentRef: p.data.paymentRef,
      amount: p.data.amount,
      advanceApplied: advance,
      transfer: p.data.amount - advance,
      payee: p.data.payee,
      kind: claim?.data.kind ?? null,
      class: cls ?? null,
      institution,
      region: claim?.data.region ?? p.region ?? null,
      paidAt: p.occurredAt,
      paidOn,
      quarter: quarterOf(paidOn),
      ruleSet: p.data.ruleSet,
      fundSource: p.data.fundSource ?? null,
      clawedBack: clawed.get(p.id) ?? 0,
      recoveries: recoveries.filter((r) => r.claim === p.data.claim),
      groups: [
        ...new Set(
          groups
            .filter(
              (g) => g.data.validFrom <= paidOn && (g.data.validTo === undefined || g.data.validTo >= paidOn),
            )
            .map((g) => g.data.group),
        ),
      ].sort(),
      backed: backing.reasons.length === 0,
      reasons: backing.reasons,
      warnings: backing.warnings,
      cited: backing.cited,
    }
  })
}

function completionsOf(
  worker: string,
  own: readonly FoldEvent[],
  classes: ReadonlyMap<string, EventData<'ClassOpeningApplied'>>,
  programmes: ReadonlyMap<string, EventData<'ProgrammePublished'>>,
  options: ComplianceOptions,
): CompletionRecord[] {
  const window = options.employmentWindowDays ?? defaultEmploymentWindowDays
  const latest = new Map<
    string,
    FoldEvent & { type: 'TrainingCompleted'; data: EventData<'TrainingCompleted'> }
  >()
  for (const t of allOf(own, 'TrainingCompleted')) latest.set(t.data.class, t)
  const revoked = new Set(allOf(own, 'CertificateRevoked').map((r) => r.data.certificate))
  const certificates = allOf(own, 'CertificateIssued').filter((c) => !revoked.has(c.data.certificate))
  const assessedIn = new Map<string, string>()
  for (const a of allOf(own, 'AssessmentResultRecorded'))
    if (a.data.class !== undefined) assessedIn.set(a.data.assessment, a.data.class)
  const claimedFor = allOf(own, 'SubsidyClaimSubmitted').filter((c) => c.data.class && c.data.certificate)
  const outcomes = allOf(own, 'EmploymentOutcomeObserved').filter(
    (o) => o.data.outcome === 'employed' || o.data.outcome === 'self_employed',
  )

  return [...latest.values()].map((t) => {
    const cls = t.data.class
    const applied = classes.get(cls)
    const programme = applied ? programmes.get(applied.programme) : undefined
    const completedOn = chinaDay(t.occurredAt)
    // A certificate comes from this training when its assessment was the class's, when a claim
    // named both, or when it certifies the programme's occupation and was issued on or after
    // the completion day.
    const kinds = new Set<string>()
    for (const c of certificates) {
      const viaAssessment = c.data.assessment !== undefined && assessedIn.get(c.data.assessment) === cls
      const viaClaim = claimedFor.some(
        (k) => k.data.class === cls && k.data.certificate === c.data.certificate,
      )
      const viaOccupation =
        programme !== undefined &&
        c.data.occupationCode === programme.occupationCode &&
        c.data.issuedOn >= completedOn
      if (viaAssessment || viaClaim || viaOccupation) kinds.add(c.data.kind)
    }
    const until = addDays(completedOn, window)
    const employment = outcomes.find((o) => {
      const day = chinaDay(o.data.observedAt)
      return (o.data.class === undefined || o.data.class === cls) && day >= completedOn && day <= until
    })
    return {
      completion: t.id,
      position: t.position.toString(),
      worker,
      class: cls,
      institution: applied?.institution ?? null,
      region: applied?.region ?? null,
      programme: applied?.programme ?? null,
      occupationCode: programme?.occupationCode ?? null,
      completedAt: t.occurredAt,
      completedOn,
      quarter: quarterOf(completedOn),
      passed: t.data.passed,
      certificateKinds: [...kinds].sort(),
      employed: employment !== undefined,
      employment: employment
        ? {
            outcome: employment.data.outcome,
            source: employment.data.source,
            observedAt: employment.data.observedAt,
          }
        : null,
    }
  })
}
