// The supervision instruments' deciders: 告知承诺 checked once, a breach naming committed facts;
// 年度报告 once per private provider and ended year, 年度检查 once; 双随机 results once per
// drawn target by an inspector drawn for it, the last one publishing, with card numbers redacted.
import type { EventData } from '@trec/contracts'
import { describe, expect, it } from 'vitest'
import { computeIntegrityGrade, exampleGradeThresholds } from '../src/grades/integrity-grade.ts'
import { annualReportDecider } from '../src/supervision/annual-report-decider.ts'
import { commitmentDecider } from '../src/supervision/commitment-decider.ts'
import { publicSummary, samplingResultsDecider } from '../src/supervision/sampling-results-decider.ts'

type Decider<S, C, E> = { initialState(): S; evolve(s: S, e: E): S; decide(c: C, s: S): E[] }
const fold = <S, C, E>(d: Decider<S, C, E>, events: E[]) => events.reduce(d.evolve, d.initialState())
const ruleOf = (f: () => unknown) => {
  try {
    f()
  } catch (error) {
    return (
      ((error as { details?: { reasons?: { rule: string }[]; reason?: string } }).details?.reasons ?? [])
        .map((r) => r.rule)
        .join(',') || (error as { code?: string }).code
    )
  }
  return 'accepted'
}

const commitment = {
  commitment: 'commitment-c1',
  institution: 'inst-130102-0001',
  region: '130102',
  facts: ['venue', 'teachers'] as ('venue' | 'teachers')[],
  statement: '承诺场地、师资符合要求',
  signedBy: { office: '法定代表人', letterRef: '长人社承诺〔2026〕12号' },
  signedOn: '2026-03-02',
  checkDueBy: '2026-06-30',
}

describe('commitment decider', () => {
  const recorded = fold(
    commitmentDecider,
    commitmentDecider.decide({ kind: 'record', data: commitment }, commitmentDecider.initialState()),
  )
  const check = (data: Partial<EventData<'CommitmentChecked'>>, today = '2026-06-20') =>
    commitmentDecider.decide(
      {
        kind: 'check',
        data: {
          result: 'kept',
          breachedFacts: [],
          findings: '核查属实',
          evidence: [],
          checkedOn: '2026-06-12',
          ...data,
        },
        today,
      },
      recorded,
    )

  it('records once, and checks a breach naming committed facts', () => {
    expect(ruleOf(() => commitmentDecider.decide({ kind: 'record', data: commitment }, recorded))).toBe(
      'commitment-new',
    )
    const [e] = check({ result: 'breached', breachedFacts: ['teachers'] })
    expect(e).toMatchObject({
      type: 'CommitmentChecked',
      data: { institution: commitment.institution, result: 'breached' },
    })
    const checked = commitmentDecider.evolve(recorded, e!)
    expect(
      ruleOf(() =>
        commitmentDecider.decide(
          {
            kind: 'check',
            data: { result: 'kept', breachedFacts: [], evidence: [], findings: 'x', checkedOn: '2026-06-13' },
            today: '2026-06-20',
          },
          checked,
        ),
      ),
    ).toBe('commitment-checked')
  })

  it('refuses a breach without facts, a fact not committed to, and a check dated outside signing..today', () => {
    expect(ruleOf(() => check({ result: 'breached', breachedFacts: [] }))).toBe('breach-facts')
    expect(ruleOf(() => check({ result: 'breached', breachedFacts: ['equipment'] }))).toBe('breach-facts')
    expect(ruleOf(() => check({ result: 'kept', breachedFacts: ['venue'] }))).toBe('breach-facts')
    expect(ruleOf(() => check({ checkedOn: '2026-03-01' }))).toBe('check-date')
    expect(ruleOf(() => check({ checkedOn: '2026-06-21' }))).toBe('check-date')
    expect(
      ruleOf(() =>
        commitmentDecider.decide(
          {
            kind: 'check',
            data: { result: 'kept', breachedFacts: [], evidence: [], findings: 'x', checkedOn: '2026-06-13' },
            today: '2026-06-20',
          },
          {},
        ),
      ),
    ).toBe('TREC_NOT_FOUND')
  })
})

describe('annual report decider', () => {
  const provider = { privateProvider: true, designatedFrom: '2021-01-01' }
  const report = {
    report: 'annual-inst-130102-0001-2025',
    institution: 'inst-130102-0001',
    region: '130102',
    year: 2025,
    classes: 3,
    trainees: 100,
    completions: 90,
    subsidyReceived: 1_000_000,
    complaints: 0,
    changes: {},
  }
  const inspection = {
    report: report.report,
    institution: report.institution,
    year: 2025,
    result: 'unqualified' as const,
    findings: '台账不符',
    evidence: [],
    inspectedOn: '2026-07-01',
  }

  it('files once a year has ended, for a private provider only', () => {
    const s0 = annualReportDecider.initialState()
    const filed = annualReportDecider.decide(
      { kind: 'file', data: report, provider, today: '2026-03-01' },
      s0,
    )
    expect(filed[0]!.type).toBe('AnnualReportFiled')
    const s1 = fold(annualReportDecider, filed)
    expect(
      ruleOf(() =>
        annualReportDecider.decide({ kind: 'file', data: report, provider, today: '2026-03-01' }, s1),
      ),
    ).toBe('annual-report-once')
    expect(
      ruleOf(() =>
        annualReportDecider.decide({ kind: 'file', data: report, provider, today: '2025-12-31' }, s0),
      ),
    ).toBe('annual-year')
    expect(
      ruleOf(() =>
        annualReportDecider.decide(
          {
            kind: 'file',
            data: report,
            provider: { ...provider, privateProvider: false },
            today: '2026-03-01',
          },
          s0,
        ),
      ),
    ).toBe('private-provider')
    expect(
      ruleOf(() =>
        annualReportDecider.decide(
          {
            kind: 'file',
            data: report,
            provider: { ...provider, designatedFrom: '2026-01-05' },
            today: '2026-03-01',
          },
          s0,
        ),
      ),
    ).toBe('annual-year')
  })

  it('records one inspection, with or without a report, not dated after today', () => {
    const s0 = annualReportDecider.initialState()
    const done = annualReportDecider.decide(
      { kind: 'inspect', data: inspection, provider, today: '2026-07-02' },
      s0,
    )
    expect(done[0]).toMatchObject({ type: 'AnnualInspectionRecorded', data: { result: 'unqualified' } })
    expect(
      ruleOf(() =>
        annualReportDecider.decide(
          { kind: 'inspect', data: inspection, provider, today: '2026-07-02' },
          fold(annualReportDecider, done),
        ),
      ),
    ).toBe('annual-inspection-once')
    expect(
      ruleOf(() =>
        annualReportDecider.decide({ kind: 'inspect', data: inspection, provider, today: '2026-06-30' }, s0),
      ),
    ).toBe('inspection-date')
  })
})

describe('sampling results decider', () => {
  const run = {
    type: 'InspectionSampleSelected',
    data: {
      run: 'sampling-r1',
      population: { kind: 'institutions', region: '130102', from: '2026-01-01', to: '2026-03-31' },
      selected: ['inst-a', 'inst-b'],
      inspectors: {
        pool: ['insp-1', 'insp-2'],
        perTarget: 1,
        assignments: [
          { target: 'inst-a', inspectors: ['insp-1'] },
          { target: 'inst-b', inspectors: ['insp-2'] },
        ],
      },
    },
  } as never
  const s0 = samplingResultsDecider.evolve(samplingResultsDecider.initialState(), run)
  const record = (target: string, inspector: string, state = s0, findings = '未发现问题') =>
    samplingResultsDecider.decide(
      {
        kind: 'record',
        data: { target, institution: target, outcome: 'compliant', findings, inspectedOn: '2026-04-20' },
        inspector,
        today: '2026-04-21',
      },
      state,
    )

  it('records once per drawn target by its drawn inspector; the last result publishes', () => {
    expect(ruleOf(() => record('inst-z', 'insp-1'))).toBe('sampling-target')
    expect(ruleOf(() => record('inst-a', 'insp-2'))).toBe('inspector-assigned')
    const first = record('inst-a', 'insp-1')
    expect(first.map((e) => e.type)).toEqual(['SamplingResultRecorded'])
    const s1 = fold(samplingResultsDecider, [run, ...first] as never[])
    expect(ruleOf(() => record('inst-a', 'insp-1', s1))).toBe('sampling-result-once')
    const last = record('inst-b', 'insp-2', s1)
    expect(last.map((e) => e.type)).toEqual(['SamplingResultRecorded', 'SamplingResultsPublished'])
    expect(last[1]!.data).toMatchObject({
      trigger: 'all_recorded',
      pending: [],
      results: [{ target: 'inst-a' }, { target: 'inst-b' }],
    })
  })

  it('lets an officer publish early, naming what is pending, and not twice for the same results', () => {
    expect(ruleOf(() => samplingResultsDecider.decide({ kind: 'publish' }, s0))).toBe('sampling-results-none')
    const s1 = fold(samplingResultsDecider, [run, ...record('inst-a', 'insp-1')] as never[])
    const published = samplingResultsDecider.decide({ kind: 'publish' }, s1)
    expect(published[0]!.data).toMatchObject({ trigger: 'officer', pending: ['inst-b'] })
    const s2 = samplingResultsDecider.evolve(s1, published[0]!)
    expect(ruleOf(() => samplingResultsDecider.decide({ kind: 'publish' }, s2))).toBe('sampling-published')
  })

  it('publishes a summary with card numbers redacted and cut to 200 characters', () => {
    expect(publicSummary('学员 11010519491231002X 未到课')).not.toContain('11010519491231002X')
    expect(publicSummary('问'.repeat(300))).toHaveLength(200)
  })
})

describe('integrity grade with the supervision inputs', () => {
  const good = {
    completions: 40,
    passRate: 0.95,
    certificationRate: 0.9,
    confirmedFraud: 0,
    sanctionsInForce: 0,
  }
  it('drops an A to C on a breach, a 不合格 or a 双随机 problem, and caps it at B on 基本合格', () => {
    expect(computeIntegrityGrade(good, exampleGradeThresholds).grade).toBe('A')
    expect(computeIntegrityGrade({ ...good, commitmentBreaches: 1 }, exampleGradeThresholds).grade).toBe('C')
    expect(computeIntegrityGrade({ ...good, inspectionsUnqualified: 1 }, exampleGradeThresholds).grade).toBe(
      'C',
    )
    expect(computeIntegrityGrade({ ...good, samplingFailures: 1 }, exampleGradeThresholds).grade).toBe('C')
    expect(computeIntegrityGrade({ ...good, inspectionsBasic: 1 }, exampleGradeThresholds).grade).toBe('B')
  })
})
