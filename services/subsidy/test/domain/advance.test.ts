import { spec } from '@trec/command/testing'
import { describe, expect, it } from 'vitest'
import { type AdvanceEvent, advanceDecider, type PayAdvance } from '../../src/domain/advance-decider.ts'
import type { Fact } from '../../src/domain/facts.ts'
import {
  classRecord,
  cls,
  delisted,
  harbinTest,
  institution,
  reviewed,
  seedRules,
  sjz,
  worker,
} from '../record.ts'

// 先行拨付 (D3): at least half of a class's training subsidy may be advanced to the provider, the
// share set by the city; final settlement sets each provider payment against what is left.

const hlj = seedRules.find((r) => r.id === 'hlj-2022')!
const ruleSet = { id: harbinTest.id, version: harbinTest.version }
const advance = (facts: readonly Fact[], over: Partial<PayAdvance> = {}): PayAdvance => ({
  kind: 'advance',
  class: cls,
  today: '2021-04-01',
  rules: harbinTest,
  evidence: { facts },
  subsidyTotal: 440_000,
  paymentRef: 'CZ-230100-20210401-0007',
  ...over,
})
const paidAdvance: AdvanceEvent = {
  type: 'AdvancePaid',
  data: {
    class: cls,
    provider: institution,
    subsidyTotal: 440_000,
    share: 0.6,
    amount: 264_000,
    ruleSet,
    paymentRef: 'CZ-1',
  },
}
const without = (facts: Fact[], type: Fact['type']) => facts.filter((f) => f.type !== type)

describe('an advance to the provider', () => {
  it('pays the city’s share of the subsidy total, under the rule set in force', () => {
    spec(advanceDecider)
      .given()
      .when(advance(classRecord()))
      .then({
        type: 'AdvancePaid',
        data: {
          class: cls,
          provider: institution,
          subsidyTotal: 440_000,
          share: 0.6,
          amount: 264_000,
          ruleSet,
          paymentRef: 'CZ-230100-20210401-0007',
        },
      })
  })

  it('refuses a provider whose latest 诚信等级 is below the rule set’s minimum, naming the grade (advance-grade)', () => {
    const graded = (grade: 'A' | 'B' | 'C' | 'D', id: string): Fact => ({
      id,
      type: 'InstitutionGraded',
      data: {
        grading: `grade-${institution}`,
        institution,
        region: '230102',
        grade,
        period: { from: '2020-01-01', to: '2020-12-31' },
        inputs: {
          completions: 40,
          passRate: 0.5,
          certificationRate: 0.3,
          confirmedFraud: 1,
          sanctionsInForce: 0,
        },
        thresholds: {
          A: { minCompletions: 30, passRate: 0.9, certificationRate: 0.8 },
          C: { passRate: 0.6, certificationRate: 0.4 },
          fraudForD: 2,
        },
        evidence: [],
        note: '年度诚信等级评定',
      },
    })
    const rules = { ...harbinTest, practice: { ...harbinTest.practice, advanceMinGrade: 'C' as const } }
    const [v] = spec(advanceDecider)
      .given()
      .when(advance([...classRecord(), graded('B', 'evt-g1'), graded('D', 'evt-g2')], { rules }))
      .rejects('advance-grade')
    expect(v?.details).toMatchObject({ grade: 'D', minimum: 'C', graded: 'evt-g2' })
    // a later, better grade lifts it; without the practice field grades do not gate
    const decide = (facts: Fact[], over: Partial<PayAdvance>) =>
      advanceDecider.decide(advance(facts, over), advanceDecider.initialState()).map((e) => e.type)
    expect(decide([...classRecord(), graded('D', 'evt-g2'), graded('C', 'evt-g3')], { rules })).toEqual([
      'AdvancePaid',
    ])
    expect(decide([...classRecord(), graded('D', 'evt-g2')], {})).toEqual(['AdvancePaid'])
  })

  it('refuses less than half (advance-share)', () => {
    spec(advanceDecider)
      .given()
      .when(advance(classRecord(), { share: 0.49 }))
      .rejects('advance-share')
  })

  it('refuses where the rule set provides no advance, as the 石家庄 one does not (advance-configured)', () => {
    spec(advanceDecider)
      .given()
      .when(advance(classRecord(), { rules: sjz }))
      .rejects('advance-configured')
  })

  it('refuses in Heilongjiang until a city states its training amounts (kind-configured)', () => {
    spec(advanceDecider)
      .given()
      .when(advance(classRecord(), { rules: hlj }))
      .rejects('kind-configured')
  })

  it('refuses a class that has not opened (class-opened)', () => {
    spec(advanceDecider)
      .given()
      .when(advance(without(classRecord(), 'ClassOpened')))
      .rejects('class-opened')
  })

  it('refuses a class that failed its pre-training review (pre-training-review)', () => {
    const record = [...without(classRecord(), 'PreTrainingReviewDecided'), reviewed('rejected')]
    spec(advanceDecider).given().when(advance(record)).rejects('pre-training-review')
  })

  it('refuses a delisted provider (institution-delisted)', () => {
    spec(advanceDecider)
      .given()
      .when(advance([...classRecord(), delisted('2021-03-01')]))
      .rejects('institution-delisted')
  })

  it('refuses a second advance for the class (advance-once)', () => {
    spec(advanceDecider).given(paidAdvance).when(advance(classRecord())).rejects('advance-once')
  })

  it('refuses a total above what the roster can earn (advance-total)', () => {
    const [reason] = spec(advanceDecider)
      .given()
      .when(advance(classRecord(), { subsidyTotal: 440_001 }))
      .rejects('advance-total')
    expect(reason?.details).toMatchObject({ ceiling: 440_000, roster: 2 })
  })

  it('refuses when no rule set is in force (rule-set-in-force)', () => {
    spec(advanceDecider)
      .given()
      .when(advance(classRecord(), { rules: undefined }))
      .rejects('rule-set-in-force')
  })
})

describe('final settlement against the advance', () => {
  const apply = (claim: string, amount: number, provider = institution) =>
    ({ kind: 'apply', class: cls, provider, claim, worker, amount }) as const

  it('sets the first payments against the advance until it is used up', () => {
    spec(advanceDecider)
      .given(paidAdvance)
      .when(apply('c1', 220_000))
      .then({
        type: 'AdvanceApplied',
        data: { class: cls, provider: institution, claim: 'c1', worker, amount: 220_000, balance: 44_000 },
      })
    const first: AdvanceEvent = {
      type: 'AdvanceApplied',
      data: { class: cls, provider: institution, claim: 'c1', worker, amount: 220_000, balance: 44_000 },
    }
    spec(advanceDecider)
      .given(paidAdvance, first)
      .when(apply('c2', 220_000))
      .then({
        type: 'AdvanceApplied',
        data: { class: cls, provider: institution, claim: 'c2', worker, amount: 44_000, balance: 0 },
      })
    const second: AdvanceEvent = {
      type: 'AdvanceApplied',
      data: { class: cls, provider: institution, claim: 'c2', worker, amount: 44_000, balance: 0 },
    }
    spec(advanceDecider).given(paidAdvance, first, second).when(apply('c3', 220_000)).then()
  })

  it('applies nothing without an advance, for another provider, or twice for one claim', () => {
    spec(advanceDecider).given().when(apply('c1', 220_000)).then()
    spec(advanceDecider)
      .given(paidAdvance)
      .when(apply('c1', 220_000, 'inst-other'))
      .then()
    const first: AdvanceEvent = {
      type: 'AdvanceApplied',
      data: { class: cls, provider: institution, claim: 'c1', worker, amount: 1000, balance: 263_000 },
    }
    spec(advanceDecider).given(paidAdvance, first).when(apply('c1', 220_000)).then()
  })
})
