import { recoveryHistorySchema } from '@trec/contracts'
import { nextCursorField } from '@trec/fastify-kit'
import { z } from 'zod'

// The named answers of the compliance reads (payments and their backing, KPIs, plan progress),
// as the OpenAPI document states them. Amounts are in fen, rates and shares fractions of one.

const fen = z.int().describe('Fen.')
const party = z.object({ kind: z.string(), id: z.string() })

const backingReason = z
  .object({
    code: z.string().describe('A stable reason code, e.g. `no-completion`, `certificate-revoked`.'),
    message: z.string(),
    details: z.record(z.string(), z.unknown()).optional(),
  })
  .meta({
    id: 'BackingReason',
    description: 'Why a payment is not backed by the record, or why it is suspect since.',
    example: { code: 'no-completion', message: 'no passed completion of the class is cited' },
  })

const citedEvidence = z
  .object({
    id: z.string(),
    type: z.string().nullable().describe('The cited event’s type, or null when it is not in the record.'),
    present: z.boolean(),
    beforePayment: z.boolean(),
  })
  .meta({
    id: 'CitedEvidence',
    description: 'An event a payment cites, and whether the record held it before the payment.',
    example: {
      id: '01936f4e-7c1a-7b3e-9d2f-5a6b7c8d9e0f',
      type: 'TrainingCompleted',
      present: true,
      beforePayment: true,
    },
  })

const examplePayment = {
  payment: '0191b7a4-c2f0-7e3a-9d51-f0a2b3c4d5e6',
  position: '2048',
  worker: '5f2c0e1a9b7d4c3e8f6a2b1c0d9e8f7a',
  claim: 'clm-5f2c0e1a9b7d4c3e8f6a2b1c0d9e8f7a-1',
  paymentRef: 'FIN-2026-000123',
  amount: 150000,
  advanceApplied: 75000,
  transfer: 75000,
  payee: { kind: 'provider', id: 'inst-130100-0001' },
  kind: 'training',
  class: 'cls-130100-0001-2026-01',
  institution: 'inst-130100-0001',
  region: '130102',
  paidAt: '2026-03-02T02:00:00.000Z',
  paidOn: '2026-03-02',
  quarter: '2026Q1',
  ruleSet: { id: 'hebei-2026', version: 1 },
  fundSource: 'employment_subsidy_fund',
  clawedBack: 0,
  recoveries: [],
  groups: ['migrant_worker'],
  backed: true,
  reasons: [],
  warnings: [],
  cited: [
    {
      id: '01936f4e-7c1a-7b3e-9d2f-5a6b7c8d9e0f',
      type: 'TrainingCompleted',
      present: true,
      beforePayment: true,
    },
  ],
}

/** One payment (SubsidyPaid) and whether the record backs it (凡补必进、不进不补). */
export const paymentSchema = z
  .looseObject({
    payment: z.string().describe('The SubsidyPaid event’s id.'),
    position: z.string(),
    worker: z.string().describe('The worker’s pseudonym.'),
    claim: z.string(),
    paymentRef: z.string().describe('The finance system’s reference for the transfer.'),
    amount: fen.describe('The whole subsidy the payment settles, in fen.'),
    advanceApplied: fen.describe('The part the class’s advance had already paid, in fen.'),
    transfer: fen.describe('Fen actually transferred: amount less advanceApplied.'),
    payee: party,
    kind: z.string().nullable(),
    class: z.string().nullable(),
    institution: z.string().nullable(),
    region: z.string().nullable(),
    paidAt: z.string(),
    paidOn: z.string(),
    quarter: z.string(),
    ruleSet: z.object({ id: z.string(), version: z.int() }),
    fundSource: z.string().nullable(),
    clawedBack: fen.describe('Fen recovered from the claim so far.'),
    recoveries: z
      .array(recoveryHistorySchema)
      .default([])
      .describe('The recovery accounts of the claim’s clawbacks, with their repayments and write-off (fen).'),
    groups: z.array(z.string()).describe('Population groups attested for the worker on the day paid.'),
    backed: z.boolean(),
    reasons: z.array(backingReason).describe('Why the payment is not backed; empty when it is.'),
    warnings: z.array(backingReason).describe('Facts after the payment that make it suspect.'),
    cited: z.array(citedEvidence),
  })
  .meta({
    id: 'Payment',
    description: 'A subsidy payment, whether the record backs it, and the evidence it cites.',
    example: examplePayment,
  })

export const paymentPageSchema = z
  .object({
    summary: z
      .object({ backed: z.int(), notBacked: z.int() })
      .describe('The backed and unbacked payments of the whole filter, not only this page.'),
    items: z.array(paymentSchema),
    nextCursor: nextCursorField,
  })
  .meta({
    id: 'PaymentPage',
    description: 'A page of payments by payment id, with counts over the whole filter.',
    example: {
      summary: { backed: 118, notBacked: 2 },
      items: [examplePayment],
      nextCursor: 'eyJsaXN0IjoicGF5bWVudHMiLCJhZnRlciI6W119.q3Jx…',
    },
  })

const kpiRow = z
  .object({
    key: z
      .record(z.string(), z.string().nullable())
      .describe('The group’s value of each dimension grouped by (null where the record lacks it).'),
    completions: z.int(),
    passed: z.int(),
    passRate: z.number().describe('培训合格率: passed / completions.'),
    certified: z.record(z.string(), z.int()).describe('Completions with a certificate, by kind.'),
    certificationRate: z.record(z.string(), z.number()).describe('取证率 by certificate kind.'),
    certifiedAny: z.int(),
    certificationRateAny: z.number(),
    employed: z.int(),
    employmentRate: z.number().describe('就业创业成功率: employed within the window / completions.'),
  })
  .meta({ id: 'KpiRow', description: 'The KPIs of one group of completions, each with its counts.' })

export const kpiReportSchema = z
  .object({
    by: z.array(z.string()).describe('The dimensions grouped by; none gives one row for all.'),
    filter: z.object({
      region: z.string().nullable(),
      quarter: z.string().nullable(),
      institution: z.string().nullable(),
      class: z.string().nullable(),
    }),
    rows: z.array(kpiRow),
  })
  .meta({
    id: 'KpiReport',
    description: 'Performance KPIs over completions, grouped as asked.',
    example: {
      by: ['institution'],
      filter: { region: '1301', quarter: '2026Q1', institution: null, class: null },
      rows: [
        {
          key: { institution: 'inst-130100-0001' },
          completions: 40,
          passed: 36,
          passRate: 0.9,
          certified: { skill_level: 30 },
          certificationRate: { skill_level: 0.75 },
          certifiedAny: 30,
          certificationRateAny: 0.75,
          employed: 24,
          employmentRate: 0.6,
        },
      ],
    },
  })

const planLine = z
  .object({
    target: z.number().nullable(),
    actual: z.int(),
    share: z.number().nullable().describe('actual / target, when there is a target.'),
  })
  .meta({ id: 'PlanLine', description: 'Person-times done against the target, when there is one.' })

export const planProgressSchema = z
  .object({
    region: z.string(),
    period: z.string().describe('The period asked for: YYYYQn or YYYY.'),
    quarter: z.string().optional().describe('The quarter, when the period is one.'),
    source: z.string().nullable().describe('Where the target comes from (the plan document).'),
    personTimes: planLine,
    byGroup: z.record(z.string(), planLine),
    byKind: z.record(z.string(), planLine),
  })
  .meta({
    id: 'PlanProgress',
    description: 'Subsidised person-times in a region and period against its plan target, by group and kind.',
    example: {
      region: '1301',
      period: '2026',
      source: 'The city’s 2026 employment plan',
      personTimes: { target: 20000, actual: 5120, share: 0.256 },
      byGroup: { migrant_worker: { target: 8000, actual: 2300, share: 0.2875 } },
      byKind: { training: { target: null, actual: 4800, share: null } },
    },
  })

const line = z.int().describe('The line of the file (1 is the header).')

export const reconciliationSchema = z
  .object({
    scope: z
      .object({ from: z.string().nullable(), to: z.string().nullable(), region: z.string().nullable() })
      .describe('The days paid and the region the record was compared over.'),
    ignoredColumns: z.array(z.string()).describe('Columns of the file that were not read.'),
    summary: z.object({
      rows: z.int(),
      matched: z.int(),
      unrecorded: z.int(),
      duplicateDisbursements: z.int(),
      claimsPaidTwice: z.int(),
      amountMismatches: z.int(),
      payeeMismatches: z.int(),
      referenceMismatches: z.int(),
      notDisbursed: z.int(),
      fileTotal: fen.describe('Fen in the file.'),
      matchedTotal: fen.describe('Fen in rows that match a payment.'),
    }),
    unrecorded: z.array(
      z.object({ line, paymentRef: z.string(), claim: z.string().nullable(), payee: party, amount: fen }),
    ),
    duplicateDisbursements: z.array(
      z.object({ paymentRef: z.string(), event: z.string().nullable(), lines: z.array(line), amount: fen }),
    ),
    claimsPaidTwice: z.array(
      z.object({
        claim: z.string(),
        source: z.enum(['record', 'file', 'both']),
        payments: z.array(z.object({ event: z.string(), paymentRef: z.string() })),
        lines: z.array(line),
      }),
    ),
    amountMismatches: z.array(
      z.object({ line, paymentRef: z.string(), event: z.string(), fileAmount: fen, recordAmount: fen }),
    ),
    payeeMismatches: z.array(
      z.object({ line, paymentRef: z.string(), event: z.string(), filePayee: party, recordPayee: party }),
    ),
    referenceMismatches: z.array(
      z.object({ line, fileRef: z.string(), recordRef: z.string(), claim: z.string(), event: z.string() }),
    ),
    notDisbursed: z.array(
      z.object({
        event: z.string(),
        paymentRef: z.string(),
        claim: z.string().nullable(),
        transfer: fen,
        paidOn: z.string(),
      }),
    ),
  })
  .meta({
    id: 'Reconciliation',
    description:
      'A finance disbursement file against the record: what matched, and each row or payment that does not, by line.',
    example: {
      scope: { from: '2026-03-01', to: '2026-03-31', region: '1301' },
      ignoredColumns: [],
      summary: {
        rows: 2,
        matched: 1,
        unrecorded: 1,
        duplicateDisbursements: 0,
        claimsPaidTwice: 0,
        amountMismatches: 0,
        payeeMismatches: 0,
        referenceMismatches: 0,
        notDisbursed: 0,
        fileTotal: 225000,
        matchedTotal: 75000,
      },
      unrecorded: [
        {
          line: 3,
          paymentRef: 'FIN-2026-000999',
          claim: null,
          payee: { kind: 'provider', id: 'inst-130100-0002' },
          amount: 150000,
        },
      ],
      duplicateDisbursements: [],
      claimsPaidTwice: [],
      amountMismatches: [],
      payeeMismatches: [],
      referenceMismatches: [],
      notDisbursed: [],
    },
  })
