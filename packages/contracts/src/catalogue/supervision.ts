import { z } from 'zod'
import { defineEvent } from '../definition.ts'
import {
  dateSchema,
  entityIdSchema,
  eventIdSchema,
  noteSchema,
  regionCodeSchema,
  uniqueList,
} from '../primitives.ts'
import { samplingRunIdSchema } from './oversight.ts'

// The supervision instruments besides cases, grades and 双随机 draws (docs/domain.md §4
// "Supervision instruments"): 告知承诺制 commitments and their follow-up checks, private providers'
// 年度报告 and the 年度检查 of them, and the results of a 双随机 run's inspections with their
// publication (一公开). All are oversight streams: `oversight-commitment-…`, `oversight-annual-…`,
// and the results and publication on the run's own `oversight-sampling-…` stream.

export const commitmentIdSchema = z
  .string()
  .regex(/^commitment-[A-Za-z0-9][A-Za-z0-9_.:-]{0,52}$/, 'must be a commitment id: commitment-{id}')

/** What an institution commits to in place of proofs (告知承诺). */
export const commitmentFacts = [
  'venue', // 培训场地符合要求
  'teachers', // 师资具备相应资格
  'equipment', // 设施设备满足培训需要
  'no_prior_fraud', // 无骗取套取补贴资金等失信记录
  'other',
] as const

export const commitmentRecorded = defineEvent({
  type: 'CommitmentRecorded',
  context: 'oversight',
  category: 'oversight',
  key: 'commitment',
  summary:
    'An institution’s 告知承诺 is recorded in place of proofs: the facts committed to, who signed, and when the follow-up check is due.',
  schema: z
    .strictObject({
      commitment: commitmentIdSchema,
      institution: entityIdSchema,
      region: regionCodeSchema,
      facts: uniqueList(z.enum(commitmentFacts)).min(1),
      /** The commitment's text as signed. */
      statement: noteSchema,
      /**
       * Who signed for the institution, by office (法定代表人, 校长…), and the letter's reference
       * (承诺书编号). No person's name: the office holder is on the business register by USCC.
       */
      signedBy: z.strictObject({ office: z.string().min(1).max(60), letterRef: z.string().min(1).max(60) }),
      signedOn: dateSchema,
      /** The last day (China) the follow-up check (核查) is due by. */
      checkDueBy: dateSchema,
    })
    .refine((c) => c.signedOn <= c.checkDueBy, {
      message: 'the check is due after signing',
      path: ['checkDueBy'],
    }),
})

export const commitmentChecked = defineEvent({
  type: 'CommitmentChecked',
  context: 'oversight',
  category: 'oversight',
  key: 'commitment',
  summary: 'An officer records the follow-up check of a commitment: kept or breached, with the evidence.',
  schema: z.strictObject({
    commitment: commitmentIdSchema,
    institution: entityIdSchema,
    result: z.enum(['kept', 'breached']),
    /** The facts found not as committed (empty when kept). */
    breachedFacts: uniqueList(z.enum(commitmentFacts)),
    findings: noteSchema,
    evidence: uniqueList(eventIdSchema).max(10_000),
    checkedOn: dateSchema,
  }),
})

/** `annual-{institution}-{year}`: one stream per private provider and year. */
export const annualReportIdSchema = z
  .string()
  .regex(/^annual-[A-Za-z0-9][A-Za-z0-9_.:-]{0,50}-\d{4}$/, 'must be annual-{institution}-{year}')

export const annualReportFiled = defineEvent({
  type: 'AnnualReportFiled',
  context: 'oversight',
  category: 'oversight',
  key: 'report',
  summary:
    'A private provider (民办) files its 年度报告 for a year: classes, trainees, completions, subsidy received, complaints, changes.',
  schema: z
    .strictObject({
      report: annualReportIdSchema,
      institution: entityIdSchema,
      region: regionCodeSchema,
      year: z.int().min(2000).max(2100),
      classes: z.int().min(0),
      trainees: z.int().min(0),
      completions: z.int().min(0),
      /** Subsidy received in the year, in fen. */
      subsidyReceived: z.int().min(0),
      complaints: z.int().min(0),
      /** Changes of venue or teachers in the year, as the provider states them. */
      changes: z.strictObject({ venue: noteSchema.optional(), teachers: noteSchema.optional() }),
      note: noteSchema.optional(),
    })
    .refine((r) => r.report === `annual-${r.institution}-${r.year}`, {
      message: 'report must be annual-{institution}-{year}',
      path: ['report'],
    })
    .refine((r) => r.completions <= r.trainees, {
      message: 'more completions than trainees',
      path: ['completions'],
    }),
})

/** 合格 / 基本合格 / 不合格. */
export const annualInspectionResults = ['qualified', 'basically_qualified', 'unqualified'] as const

export const annualInspectionRecorded = defineEvent({
  type: 'AnnualInspectionRecorded',
  context: 'oversight',
  category: 'oversight',
  key: 'report',
  summary:
    'An officer records the 年度检查 of a private provider for a year: 合格, 基本合格 or 不合格, with findings.',
  schema: z.strictObject({
    report: annualReportIdSchema,
    institution: entityIdSchema,
    year: z.int().min(2000).max(2100),
    result: z.enum(annualInspectionResults),
    findings: noteSchema,
    evidence: uniqueList(eventIdSchema).max(10_000),
    inspectedOn: dateSchema,
  }),
})

/** What one 双随机 inspection found. */
export const inspectionOutcomes = [
  'compliant', // 未发现问题
  'rectification_ordered', // 发现问题，责令整改
  'violation', // 发现违法违规，立案查处
  'not_located', // 检查对象无法找到 (已关停、失联)
] as const

export const samplingResultRecorded = defineEvent({
  type: 'SamplingResultRecorded',
  context: 'oversight',
  category: 'oversight',
  key: 'run',
  summary:
    'The inspector records the result of inspecting one target of a 双随机 run: outcome, findings, date.',
  schema: z.strictObject({
    run: samplingRunIdSchema,
    target: entityIdSchema,
    /** The institution inspected (the target itself, or the institution of a class target). */
    institution: entityIdSchema,
    outcome: z.enum(inspectionOutcomes),
    findings: noteSchema,
    inspectedOn: dateSchema,
  }),
})

export const samplingResultsPublished = defineEvent({
  type: 'SamplingResultsPublished',
  context: 'oversight',
  category: 'oversight',
  key: 'run',
  summary:
    'A 双随机 run’s results are published (一公开): institution, date, outcome and a summary of findings for each target recorded.',
  schema: z.strictObject({
    run: samplingRunIdSchema,
    region: regionCodeSchema,
    /** all: every target's result is in; officer: an officer published before that. */
    trigger: z.enum(['all_recorded', 'officer']),
    results: z
      .array(
        z.strictObject({
          target: entityIdSchema,
          institution: entityIdSchema,
          outcome: z.enum(inspectionOutcomes),
          inspectedOn: dateSchema,
          summary: z.string().min(1).max(200),
        }),
      )
      .max(20_000),
    /** Targets drawn whose result was not yet recorded when published. */
    pending: uniqueList(entityIdSchema).max(20_000),
  }),
})

export const supervisionEvents = [
  commitmentRecorded,
  commitmentChecked,
  annualReportFiled,
  annualInspectionRecorded,
  samplingResultRecorded,
  samplingResultsPublished,
] as const
