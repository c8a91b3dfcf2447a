import { z } from 'zod'
import { defineEvent } from '../definition.ts'
import {
  dateSchema,
  entityIdSchema,
  eventIdSchema,
  instantSchema,
  noteSchema,
  positiveFenSchema,
  pseudonymSchema,
  regionCodeSchema,
  sha256HexSchema,
  uniqueList,
} from '../primitives.ts'

// The oversight context: what supervision adds to the record (docs/domain.md §4). Fraud alerts raised by
// rules computed over the history (技防, docs/fraud-rules.md), the cases
// investigators open on them (立案, evidence, findings, sanction, clawback request: docs/domain.md §4
// "Penalties"), and 双随机 sampling runs recorded so that anyone can re-derive the sample from
// the seed (D0 (三十一), D3 (二十六), D4 (二十七)). Every id carries its kind as a prefix, so the
// streams read `oversight-alert-…`, `oversight-case-…` and `oversight-sampling-…`.

/** A fraud rule of docs/fraud-rules.md: R1–R13. */
export const fraudRuleIdSchema = z.string().regex(/^R\d{1,2}$/, 'must be a rule id like R4')

/** An alert id: the rule and a digest of what it is about, so one finding always gets one id. */
export const alertIdSchema = z
  .string()
  .regex(/^alert-R\d{1,2}-[0-9a-f]{32}$/, 'must be an alert id: alert-R{n}-{32 hex}')

export const caseIdSchema = z
  .string()
  .regex(/^case-[A-Za-z0-9][A-Za-z0-9_.:-]{0,58}$/, 'must be a case id: case-{id}')

export const samplingRunIdSchema = z
  .string()
  .regex(/^sampling-[A-Za-z0-9][A-Za-z0-9_.:-]{0,54}$/, 'must be a sampling run id: sampling-{id}')

/**
 * What an alert is about. Workers are named by pseudonym; a face template and a client
 * fingerprint by the hash the device or platform reported; an actor (a reader of the archive)
 * by the id in its token. Never a card number or a name.
 */
export const alertSubjectKinds = [
  'worker',
  'claim',
  'class',
  'institution',
  'evaluator',
  'device',
  'template',
  'fingerprint',
  'actor',
] as const

export const alertSubjectSchema = z.strictObject({
  kind: z.enum(alertSubjectKinds),
  id: entityIdSchema,
})

export const fraudAlertRaised = defineEvent({
  type: 'FraudAlertRaised',
  context: 'oversight',
  category: 'oversight',
  key: 'alert',
  summary:
    'A fraud rule’s condition holds over the record: the subject, the evidence events, the rule version.',
  schema: z.strictObject({
    alert: alertIdSchema,
    rule: fraudRuleIdSchema,
    /** The version of the rule's logic and parameters the alert was computed under. */
    ruleVersion: z.int().min(1),
    subject: alertSubjectSchema,
    /** The events the condition was computed from; each was in the log before this alert. */
    evidence: uniqueList(eventIdSchema).min(1).max(1000),
    summary: noteSchema,
    /** Figures the rule measured (a speed in km/h, a share, a count), for the investigator. */
    measures: z.record(z.string().regex(/^[a-z][A-Za-z0-9]{0,39}$/), z.number()).optional(),
    /** When the event that completed the pattern happened: the alert's time in the world. */
    raisedAt: instantSchema,
  }),
})

export const fraudAlertResolved = defineEvent({
  type: 'FraudAlertResolved',
  context: 'oversight',
  category: 'oversight',
  key: 'alert',
  summary:
    'An investigator resolves an alert: confirmed (with the case it went to), dismissed or a duplicate.',
  schema: z
    .strictObject({
      alert: alertIdSchema,
      resolution: z.enum(['confirmed', 'dismissed', 'duplicate']),
      case: caseIdSchema.optional(),
      note: noteSchema,
    })
    .refine((r) => r.resolution !== 'confirmed' || r.case !== undefined, {
      message: 'a confirmed alert names the case it went to',
      path: ['case'],
    }),
})

export const caseOpened = defineEvent({
  type: 'CaseOpened',
  context: 'oversight',
  category: 'oversight',
  key: 'case',
  summary: 'An investigator opens a case (立案) on alerts, a sampling run, a tip-off or an audit finding.',
  schema: z.strictObject({
    case: caseIdSchema,
    title: z.string().min(1).max(200),
    region: regionCodeSchema,
    basis: z.enum(['alert', 'sampling', 'tip_off', 'audit_finding', 'other']),
    subjects: z.array(alertSubjectSchema).max(200),
    alerts: uniqueList(alertIdSchema).max(1000),
    samplingRun: samplingRunIdSchema.optional(),
  }),
})

export const caseEvidenceLinked = defineEvent({
  type: 'CaseEvidenceLinked',
  context: 'oversight',
  category: 'oversight',
  key: 'case',
  summary: 'Events of the record and alerts are linked to a case as its evidence (chain of custody).',
  schema: z
    .strictObject({
      case: caseIdSchema,
      evidence: uniqueList(eventIdSchema).max(10_000),
      alerts: uniqueList(alertIdSchema).max(1000),
      note: noteSchema.optional(),
    })
    .refine((l) => l.evidence.length + l.alerts.length > 0, {
      message: 'links at least one event or alert',
      path: ['evidence'],
    }),
})

export const caseConclusions = ['fraud_confirmed', 'irregularity', 'no_violation', 'inconclusive'] as const

export const caseFindingsRecorded = defineEvent({
  type: 'CaseFindingsRecorded',
  context: 'oversight',
  category: 'oversight',
  key: 'case',
  summary: 'The findings of a case: a conclusion, what was found and the events it rests on.',
  schema: z.strictObject({
    case: caseIdSchema,
    conclusion: z.enum(caseConclusions),
    findings: noteSchema,
    evidence: uniqueList(eventIdSchema).max(10_000),
  }),
})

// D1 「对违反规定的机构立即清退」, D3 「加大对虚假培训、套取骗取资金…的查处力度」. The seeds give no penalty
// amounts or procedures (docs/domain.md §4): the sanction is recorded as decided, and carried out by the
// context that owns it (a delisting by the training service, a clawback by the subsidy service).
export const sanctionKinds = [
  'warning', // 警示约谈
  'rectification_order', // 责令整改
  'suspension', // 暂停补贴性培训资格
  'delisting', // 清退 (carried out by the training service)
  'certificate_revocation', // 撤销证书 (carried out by the assessment service)
  'referral_police', // 移送公安
  'referral_discipline', // 移送纪检监察
] as const

/**
 * What a sanction rests on when it comes from a supervision instrument rather than a case's own
 * findings: a breached commitment, a 不合格 annual inspection or a 双随机 result, and the event.
 */
export const sanctionGroundsSchema = z.strictObject({
  kind: z.enum(['commitment_breach', 'annual_inspection', 'sampling_result']),
  /** The commitment, annual report or sampling run. */
  ref: z.string().min(1).max(80),
  /** The CommitmentChecked, AnnualInspectionRecorded or SamplingResultRecorded event. */
  event: eventIdSchema,
})

export const caseSanctionDecided = defineEvent({
  type: 'CaseSanctionDecided',
  context: 'oversight',
  category: 'oversight',
  key: 'case',
  summary:
    'A sanction is decided in a case against an institution, evaluator, teacher, enterprise or worker.',
  schema: z.strictObject({
    case: caseIdSchema,
    target: z.strictObject({
      kind: z.enum(['institution', 'evaluator', 'teacher', 'enterprise', 'worker']),
      id: entityIdSchema,
    }),
    sanction: z.enum(sanctionKinds),
    note: noteSchema,
    /** The supervision finding the sanction cites, when it rests on one (docs/domain.md §4). */
    grounds: sanctionGroundsSchema.optional(),
  }),
})

/** Why a case asks for a paid subsidy back. */
export const caseClawbackReasons = [
  'false_training',
  'fraudulent_claim',
  'duplicate_benefit',
  'certificate_revoked',
  'other',
] as const

export const clawbackRequested = defineEvent({
  type: 'ClawbackRequested',
  context: 'oversight',
  category: 'oversight',
  key: 'case',
  summary: 'A case asks the subsidy service to recover (追回) a paid subsidy, with why and on what evidence.',
  schema: z.strictObject({
    case: caseIdSchema,
    claim: entityIdSchema,
    worker: pseudonymSchema,
    amount: positiveFenSchema,
    reason: z.enum(caseClawbackReasons),
    evidence: uniqueList(eventIdSchema).max(10_000),
    note: noteSchema.optional(),
  }),
})

export const caseClosed = defineEvent({
  type: 'CaseClosed',
  context: 'oversight',
  category: 'oversight',
  key: 'case',
  summary: 'A case is closed: substantiated, unsubstantiated, referred elsewhere or withdrawn.',
  schema: z.strictObject({
    case: caseIdSchema,
    outcome: z.enum(['substantiated', 'unsubstantiated', 'referred', 'withdrawn']),
    note: noteSchema.optional(),
  }),
})

/** The sampling algorithm's name; services/oversight/README.md states it step by step. */
export const samplingAlgorithms = ['sha256-ctr-fisher-yates-v1', 'sha256-ctr-weighted-v1'] as const

// 双随机、一公开: random targets and random inspectors, results published. The run records the
// population as it was read (its ids in order, their digest and the feed position the read
// model stood at), the seed and the algorithm, so anyone can re-derive the selection.
export const inspectionSampleSelected = defineEvent({
  type: 'InspectionSampleSelected',
  context: 'oversight',
  category: 'oversight',
  key: 'run',
  summary: 'A 双随机 sampling run: population snapshot and digest, seed, algorithm, targets and inspectors.',
  schema: z
    .strictObject({
      run: samplingRunIdSchema,
      population: z.strictObject({
        kind: z.enum(['institutions', 'classes']),
        /** A 行政区划代码; the population is every target whose region starts with its prefix. */
        region: regionCodeSchema,
        from: dateSchema,
        to: dateSchema,
      }),
      /** The global feed position the read model had reached when the population was read. */
      asOfPosition: z.string().regex(/^\d{1,20}$/),
      /** The population's ids, sorted by UTF-16 code units, without repeats. */
      populationIds: uniqueList(entityIdSchema).max(20_000),
      /** SHA-256 of the ids joined by `\n` (no trailing newline). */
      populationDigest: sha256HexSchema,
      size: z.int().min(1).max(20_000),
      /** 32 bytes in hex: the only input of the draw besides the population. */
      seed: sha256HexSchema,
      algorithm: z.enum(samplingAlgorithms),
      /** The drawn targets in draw order. */
      selected: uniqueList(entityIdSchema).max(20_000),
      /** The second 随机: inspectors drawn per target from a pool, after the targets. */
      inspectors: z
        .strictObject({
          pool: uniqueList(entityIdSchema).min(1).max(1000),
          perTarget: z.int().min(1).max(10),
          assignments: z
            .array(z.strictObject({ target: entityIdSchema, inspectors: uniqueList(entityIdSchema) }))
            .max(20_000),
        })
        .optional(),
      /**
       * A draw weighted by 诚信等级 (algorithm sha256-ctr-weighted-v1): the weight of each grade and
       * the latest grade of each graded member of the population when drawn (the rest ungraded).
       */
      weighting: z
        .strictObject({
          weights: z.strictObject({
            A: z.int().min(1),
            B: z.int().min(1),
            C: z.int().min(1),
            D: z.int().min(1),
            ungraded: z.int().min(1),
          }),
          grades: z.record(entityIdSchema, z.enum(['A', 'B', 'C', 'D'])),
        })
        .optional(),
    })
    .refine((r) => (r.algorithm === 'sha256-ctr-weighted-v1') === (r.weighting !== undefined), {
      message: 'a weighted draw records its weighting, and only a weighted draw does',
      path: ['weighting'],
    })
    .refine((r) => r.selected.length === Math.min(r.size, r.populationIds.length), {
      message: 'selects min(size, population) targets',
      path: ['selected'],
    })
    .refine((r) => r.population.from <= r.population.to, {
      message: 'from is after to',
      path: ['population', 'to'],
    }),
})

// 诚信等级评定: an officer grades an institution, recording the grade with the inputs it was computed
// from and the thresholds used (the grades, inputs and thresholds are not in the seeds; they are
// set by the region: services/oversight/src/grades/integrity-grade.ts), so the history is on the record
// and each grade can be re-derived. One stream per institution: `oversight-grade-{institution}`.
export const integrityGrades = ['A', 'B', 'C', 'D'] as const
export type IntegrityGrade = (typeof integrityGrades)[number]

/** True when `grade` is `minimum` or better (A is best). */
export function gradeAtLeast(grade: IntegrityGrade, minimum: IntegrityGrade): boolean {
  return integrityGrades.indexOf(grade) <= integrityGrades.indexOf(minimum)
}

const rateSchema = z.number().min(0).max(1)

export const institutionGraded = defineEvent({
  type: 'InstitutionGraded',
  context: 'oversight',
  category: 'oversight',
  key: 'grading',
  summary: 'An institution is graded (诚信等级 A–D) with the KPIs, findings and thresholds it rests on.',
  schema: z
    .strictObject({
      /** `grade-{institution}`: the stream of the institution's grades. */
      grading: z.string().regex(/^grade-[A-Za-z0-9][A-Za-z0-9_.:-]{0,57}$/, 'must be grade-{institution}'),
      institution: entityIdSchema,
      region: regionCodeSchema,
      grade: z.enum(integrityGrades),
      period: z.strictObject({ from: dateSchema, to: dateSchema }),
      inputs: z.strictObject({
        completions: z.int().min(0),
        passRate: rateSchema,
        certificationRate: rateSchema,
        confirmedFraud: z.int().min(0),
        sanctionsInForce: z.int().min(0),
        // Counted from the supervision record for the period (absent on grades recorded before them).
        commitmentBreaches: z.int().min(0).optional(),
        inspectionsUnqualified: z.int().min(0).optional(),
        inspectionsBasic: z.int().min(0).optional(),
        samplingFailures: z.int().min(0).optional(),
      }),
      thresholds: z.strictObject({
        A: z.strictObject({
          minCompletions: z.int().min(0),
          passRate: rateSchema,
          certificationRate: rateSchema,
        }),
        C: z.strictObject({ passRate: rateSchema, certificationRate: rateSchema }),
        fraudForD: z.int().min(1),
      }),
      /** The findings and sanctions counted (CaseFindingsRecorded, CaseSanctionDecided, …). */
      evidence: uniqueList(eventIdSchema).max(10_000),
      note: noteSchema,
    })
    .refine((g) => g.grading === `grade-${g.institution}`, {
      message: 'grading must be grade-{institution}',
      path: ['grading'],
    })
    .refine((g) => g.period.from <= g.period.to, { message: 'from is after to', path: ['period', 'to'] }),
})

export const oversightEvents = [
  fraudAlertRaised,
  fraudAlertResolved,
  caseOpened,
  caseEvidenceLinked,
  caseFindingsRecorded,
  caseSanctionDecided,
  clawbackRequested,
  caseClosed,
  inspectionSampleSelected,
  institutionGraded,
] as const
