import { describe, expect, it } from 'vitest'
import {
  aggregateKpis,
  type CompletionRecord,
  complianceInertTypes,
  complianceRecordTypes,
  foldWorkerCompliance,
  type PaymentRecord,
  planProgress,
  quietAfter,
  trainingOf,
} from '../src/index.ts'
import { envelopes, generateRecord, testRuleSet } from '../test-support/index.ts'
import { certificate, cls, completed, fact, references, worker } from './given.ts'

// 绩效评估 (D2, D3): 培训合格率, 取证率 by the five certificate kinds, 就业创业成功率; quarterly (D0).

const completion = (over: Partial<CompletionRecord>): CompletionRecord => ({
  completion: 'c',
  position: '1',
  worker,
  class: cls,
  institution: 'inst-a',
  region: '130102',
  programme: 'p',
  occupationCode: '6-31-01-03',
  completedAt: '2021-04-20T17:00:00+08:00',
  completedOn: '2021-04-20',
  quarter: '2021Q2',
  passed: true,
  certificateKinds: [],
  employed: false,
  employment: null,
  ...over,
})

describe('KPIs over completions', () => {
  it('computes 培训合格率, 取证率 per kind and 就业创业成功率 with numerators and denominators', () => {
    const rows = aggregateKpis(
      [
        completion({ passed: true, certificateKinds: ['skill_level'], employed: true }),
        completion({ passed: true, certificateKinds: ['skill_level', 'special_operation'] }),
        completion({ passed: false }),
        completion({ passed: true, employed: true }),
      ],
      [],
    )
    expect(rows).toHaveLength(1)
    const [row] = rows
    expect(row).toMatchObject({
      completions: 4,
      passed: 3,
      passRate: 0.75,
      certifiedAny: 2,
      certificationRateAny: 0.5,
      employed: 2,
      employmentRate: 0.5,
    })
    expect(row!.certified).toEqual({
      occupational_qualification: 0,
      skill_level: 2,
      special_ability: 0,
      special_operation: 1,
      special_equipment: 0,
    })
    expect(row!.certificationRate.special_operation).toBe(0.25)
  })

  it('groups by institution and quarter', () => {
    const rows = aggregateKpis(
      [
        completion({ institution: 'inst-a', quarter: '2021Q2' }),
        completion({ institution: 'inst-b', quarter: '2021Q2', passed: false }),
        completion({ institution: 'inst-a', quarter: '2021Q3' }),
        completion({ institution: 'inst-a', quarter: '2021Q2', passed: false }),
      ],
      ['institution', 'quarter'],
    )
    expect(rows.map((r) => [r.key, r.completions, r.passed])).toEqual([
      [{ institution: 'inst-a', quarter: '2021Q2' }, 2, 1],
      [{ institution: 'inst-a', quarter: '2021Q3' }, 1, 1],
      [{ institution: 'inst-b', quarter: '2021Q2' }, 1, 0],
    ])
  })
})

describe('completion facts from the record', () => {
  const outcome = (position: number, observedAt: string, outcome: 'employed' | 'not_employed' = 'employed') =>
    fact(
      'EmploymentOutcomeObserved',
      { worker, outcome, source: 'employment_registration', sourceRef: 'R-1', observedAt },
      { position },
    )

  it('links a certificate of the programme’s occupation issued after completion, and employment within the window', () => {
    const [record] = foldWorkerCompliance(
      worker,
      [...references(1), completed(10), certificate(11), outcome(12, '2021-06-01T00:00:00+08:00')],
      { rules: [] },
    ).completions.map((c) => c)
    expect(record).toMatchObject({
      class: cls,
      institution: 'inst-130100-0042',
      region: '130102',
      quarter: '2021Q2',
      passed: true,
      certificateKinds: ['skill_level'],
      employed: true,
    })
  })

  it('does not count employment observed after the window, or a not-employed observation', () => {
    const late = foldWorkerCompliance(
      worker,
      [...references(1), completed(10), outcome(11, '2021-12-01T00:00:00+08:00')],
      { rules: [], employmentWindowDays: 90 },
    )
    expect(late.completions[0]!.employed).toBe(false)
    const none = foldWorkerCompliance(
      worker,
      [...references(1), completed(10), outcome(11, '2021-05-01T00:00:00+08:00', 'not_employed')],
      { rules: [] },
    )
    expect(none.completions[0]!.employed).toBe(false)
  })

  it('does not link a revoked certificate, or one of another occupation', () => {
    const revoked = fact(
      'CertificateRevoked',
      { worker, certificate: 'cert-1', reason: 'fraud' },
      { position: 12 },
    )
    expect(
      foldWorkerCompliance(worker, [...references(1), completed(10), certificate(11), revoked], { rules: [] })
        .completions[0]!.certificateKinds,
    ).toEqual([])
    expect(
      foldWorkerCompliance(
        worker,
        [...references(1), completed(10), certificate(11, { occupationCode: '6-18-02-04' })],
        { rules: [] },
      ).completions[0]!.certificateKinds,
    ).toEqual([])
  })

  it('counts the latest completion of a class once', () => {
    const result = foldWorkerCompliance(
      worker,
      [...references(1), completed(10, 0.5, false), completed(11, 1, true)],
      { rules: [] },
    )
    expect(result.completions).toHaveLength(1)
    expect(result.completions[0]!.passed).toBe(true)
  })
})

describe('plan progress (台账)', () => {
  it('counts each subsidised training once per quarter and region against the configured target, by group and kind', () => {
    const generated = generateRecord({ workers: 40, seed: 3, faultRate: 0.2 })
    const events = envelopes(generated.appends)
    const payments = generated.workers.flatMap(
      (w) => foldWorkerCompliance(w, events, { rules: [testRuleSet] }).payments,
    )
    const progress = planProgress(
      payments,
      [
        {
          region: '1301',
          quarter: '2021Q2',
          personTimes: 10,
          byGroup: { migrant_worker: 4 },
          source: 'TEST plan',
        },
      ],
      '1301',
      '2021Q2',
    )
    const expected = new Set(
      payments
        .filter((p) => p.quarter === '2021Q2' && p.region!.startsWith('1301') && p.clawedBack < p.amount)
        .map(trainingOf),
    )
    expect(progress.personTimes).toEqual({ target: 10, actual: expected.size, share: expected.size / 10 })
    expect(progress.byGroup.migrant_worker!.target).toBe(4)
    expect(progress.byKind.training!.actual).toBe(expected.size)
    expect(progress.source).toBe('TEST plan')
  })

  it('counts one person-time for a training however many claims paid it, and a year across its quarters', () => {
    const paid = (claim: string, over: Partial<PaymentRecord>): PaymentRecord =>
      ({
        payment: `pay-${claim}`,
        worker,
        claim,
        amount: 100_000,
        clawedBack: 0,
        kind: 'training',
        class: 'cls-1',
        region: '130102',
        quarter: '2026Q1',
        groups: [],
        ...over,
      }) as PaymentRecord
    const payments = [
      paid('clm-a-1', {}),
      paid('clm-a-2', { kind: 'living_allowance' }),
      paid('clm-a-3', { class: 'cls-2', quarter: '2026Q3' }),
      paid('clm-a-4', { class: null, kind: 'skill_upgrade', quarter: '2026Q4' }),
      paid('clm-a-5', { class: 'cls-3', clawedBack: 100_000 }),
      paid('clm-a-6', { class: 'cls-4', quarter: '2025Q4' }),
    ]
    const targets = [{ region: '1301', year: '2026', personTimes: 4, source: 'TEST, set by the region' }]
    const year = planProgress(payments, targets, '1301', '2026')
    expect(year).toMatchObject({ period: '2026', source: 'TEST, set by the region' })
    expect(year.personTimes).toEqual({ target: 4, actual: 3, share: 0.75 })
    expect(year.byKind).toMatchObject({
      training: { actual: 2 },
      living_allowance: { actual: 1 },
      skill_upgrade: { actual: 1 },
    })
    expect(planProgress(payments, targets, '1301', '2026Q1').personTimes).toEqual({
      target: null,
      actual: 1,
      share: null,
    })
  })

  it('has no target where none is configured', () => {
    expect(planProgress([], [], '1306', '2021Q3').personTimes).toEqual({
      target: null,
      actual: 0,
      share: null,
    })
  })
})

describe('which workers have compliance rows', () => {
  it('yields rows only for a worker with a completion or a payment (complianceRecordTypes)', () => {
    const record = generateRecord({ workers: 40, seed: 11 })
    const events = envelopes(record.appends)
    const options = { rules: [testRuleSet] }
    const recordTypes = new Set<string>(complianceRecordTypes)
    let withRows = 0
    for (const w of record.workers) {
      const all = foldWorkerCompliance(w, events, options)
      if (all.payments.length + all.completions.length > 0) withRows += 1
      const without = foldWorkerCompliance(
        w,
        events.filter((e) => !recordTypes.has(e.type)),
        options,
      )
      expect([w, without]).toEqual([w, { payments: [], completions: [] }])
    }
    expect(withRows).toBeGreaterThan(10)
  })
})

describe('which facts leave a worker’s compliance rows as they are', () => {
  it('a fact of complianceInertTypes past quietAfter changes nothing, whenever it arrives', () => {
    const record = generateRecord({ workers: 60, seed: 7 })
    const events = envelopes(record.appends)
    const options = { rules: [testRuleSet] }
    let quietChecked = 0
    for (const w of record.workers) {
      const facts = events.filter((e) => {
        const of = (e.data as { worker?: unknown }).worker
        return of === undefined || of === w
      })
      for (const e of facts) {
        if (!complianceInertTypes.has(e.type) || (e.data as { worker?: unknown }).worker !== w) continue
        const without = foldWorkerCompliance(
          w,
          facts.filter((x) => x !== e),
          options,
        )
        if (e.position <= quietAfter(without)) continue
        quietChecked += 1
        expect([w, e.id, foldWorkerCompliance(w, facts, options)]).toEqual([w, e.id, without])
      }
    }
    expect(quietChecked).toBeGreaterThan(60)
  })
})

describe('what the fold of a worker with no payment reads', () => {
  it('no fact of complianceInertTypes and no class schedule (ClassOpened) changes it', () => {
    const record = generateRecord({ workers: 40, seed: 11 })
    const events = envelopes(record.appends)
    const options = { rules: [testRuleSet] }
    let checked = 0
    for (const w of record.workers) {
      const firstPaid = events.find(
        (e) => e.type === 'SubsidyPaid' && (e.data as { worker?: unknown }).worker === w,
      )
      const facts = events.filter((e) => {
        const of = (e.data as { worker?: unknown }).worker
        return (of === undefined || of === w) && (firstPaid === undefined || e.position < firstPaid.position)
      })
      const read = facts.filter((e) => !complianceInertTypes.has(e.type) && e.type !== 'ClassOpened')
      // Each prefix of the worker's record up to its first payment, as a projection folds it.
      for (const upTo of facts) {
        if ((upTo.data as { worker?: unknown }).worker !== w) continue
        const all = foldWorkerCompliance(
          w,
          facts.filter((e) => e.position <= upTo.position),
          options,
        )
        const slim = foldWorkerCompliance(
          w,
          read.filter((e) => e.position <= upTo.position),
          options,
        )
        expect([w, upTo.id, slim]).toEqual([w, upTo.id, all])
        if (all.completions.length > 0) checked += 1
      }
    }
    expect(checked).toBeGreaterThan(40)
  })
})
