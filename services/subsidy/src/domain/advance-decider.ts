import type { RuleViolation } from '@trec/command'
import { type Decider, reject } from '@trec/command'
import { type EventData, gradeAtLeast } from '@trec/contracts'
import { amountStandard } from './amount-standard.ts'
import { claimBasis } from './basis.ts'
import { type SubsidyKind, violation } from './claim-facts.ts'
import { checkInstitution } from './eligibility-rules.ts'
import { type Evidence, factsOf, lastFact } from './facts.ts'
import { type RuleSet, refOf } from './rule-set.ts'

// 先行拨付 (D3): 「对培训主体组织开展补贴性培训的,可先行拨付不低于50%的培训补贴资金,具体比例由市级
// 财政部门、人力资源和社会保障部门确定」. One advance per class (`advance-{class}`), then final
// settlement: each provider payment for a worker of the class is set against what is left of it.
// The kind advanced is the training subsidy unless named: 项目制培训 is advanced to its provider,
// and 新型学徒制's yearly amount per apprentice to the enterprise, by the same rule.

export type AdvanceEvent =
  | { type: 'AdvancePaid'; data: EventData<'AdvancePaid'> }
  | { type: 'AdvanceApplied'; data: EventData<'AdvanceApplied'> }

export interface AdvanceState {
  advance?: EventData<'AdvancePaid'>
  /** Claims already set against the advance, and by how much. */
  applied: Readonly<Record<string, number>>
  balance: number
}

export interface PayAdvance {
  kind: 'advance'
  class: string
  today: string
  rules: RuleSet | undefined
  /** The class stream, its catalogue entry and the provider's institution stream. */
  evidence: Evidence
  subsidyTotal: number
  /** Defaults to the city's share in the rule set, else its minimum. */
  share?: number | undefined
  /**
   * The kind advanced: the training subsidy by default; any kind paid to a provider or an
   * enterprise for a class (项目制培训, and 新型学徒制, whose yearly amount is advanced at least half).
   */
  subsidy?: SubsidyKind | undefined
  paymentRef: string
}

export interface ApplyAdvance {
  kind: 'apply'
  class: string
  provider: string
  claim: string
  worker: string
  /** The provider payment to settle. */
  amount: number
}

export type AdvanceCommand = PayAdvance | ApplyAdvance

function payAdvance(cmd: PayAdvance, state: AdvanceState): AdvanceEvent[] {
  const rules = cmd.rules
  if (!rules)
    return reject({
      rule: 'rule-set-in-force',
      message: `no rule set is in force for the class on ${cmd.today}`,
    })
  const ref = refOf(rules)
  const terms = rules.advance
  if (!terms) return reject(violation('advance-configured', 'the rule set provides for no advance', ref))
  const applied = lastFact(cmd.evidence, 'ClassOpeningApplied', (c) => c.class === cmd.class)
  const opened = lastFact(cmd.evidence, 'ClassOpened', (c) => c.class === cmd.class)
  const reviewed = lastFact(cmd.evidence, 'PreTrainingReviewDecided', (c) => c.class === cmd.class)
  if (!applied || !opened)
    return reject(violation('class-opened', 'the class has not opened on the record', ref))
  const provider = applied.data.institution
  const violations: RuleViolation[] = []
  const fail = (id: string, message: string, details?: Record<string, unknown>) =>
    violations.push(violation(id, message, ref, details))
  if (state.advance)
    fail('advance-once', 'the class has had its advance', { paymentRef: state.advance.paymentRef })
  // D3 (二十六) 「严格培训前审核」: money goes only to a class that passed its pre-training review.
  if (reviewed?.data.outcome !== 'passed')
    fail('pre-training-review', 'the class has not passed its pre-training review (培训前审核)')
  const kind = cmd.subsidy ?? 'training'
  const rule = rules.kinds[kind]
  const payee = rule?.payees.includes('provider') ? 'provider' : 'enterprise'
  checkInstitution({ kind: payee, id: provider }, cmd.evidence, cmd.today, fail)
  // 诚信等级 (NOT IN SEEDS, the region's practice): no advance below the minimum grade.
  const minGrade = rules.practice.advanceMinGrade
  const graded = lastFact(cmd.evidence, 'InstitutionGraded', (g) => g.institution === provider)
  if (minGrade && graded && !gradeAtLeast(graded.data.grade, minGrade))
    fail('advance-grade', `the provider's integrity grade ${graded.data.grade} is below ${minGrade}`, {
      grade: graded.data.grade,
      minimum: minGrade,
      graded: graded.id,
    })
  const share = cmd.share ?? terms.share ?? terms.minShare
  if (share < terms.minShare || share > 1)
    fail('advance-share', `the advance is between ${terms.minShare} and 1 of the subsidy`, {
      share,
      minimum: terms.minShare,
    })
  if (!rule) fail('kind-configured', `the rule set has no standard for ${kind} subsidies`)
  else if (!rule.payees.includes('provider') && !rule.payees.includes('enterprise'))
    fail('advance-kind', `a ${kind} subsidy is paid to the worker, so nothing is advanced to the class`, {
      payees: rule.payees,
    })
  else {
    // The roster (花名册) is the list at opening plus everyone added to it since.
    const roster = new Set([
      ...opened.data.roster,
      ...factsOf(cmd.evidence, 'RosterEntryAdded')
        .filter((r) => r.data.class === cmd.class)
        .map((r) => r.data.worker),
    ])
    const perPerson = amountStandard(kind, rule, claimBasis({ class: cmd.class }, cmd.evidence, rules))
    const ceiling = perPerson === undefined ? 0 : perPerson * roster.size
    if (cmd.subsidyTotal > ceiling)
      fail('advance-total', 'the subsidy total is more than the class roster can earn', {
        subsidyTotal: cmd.subsidyTotal,
        ceiling,
        roster: roster.size,
      })
  }
  if (violations.length > 0) reject(...violations)
  return [
    {
      type: 'AdvancePaid',
      data: {
        class: cmd.class,
        provider,
        subsidyTotal: cmd.subsidyTotal,
        share,
        ...(cmd.subsidy === undefined ? {} : { kind: cmd.subsidy }),
        amount: Math.round(cmd.subsidyTotal * share),
        ruleSet: ref,
        paymentRef: cmd.paymentRef,
      },
    },
  ]
}

/** Final settlement: the provider is paid the subsidy less what the advance already covered. */
function applyAdvance(cmd: ApplyAdvance, state: AdvanceState): AdvanceEvent[] {
  if (!state.advance || state.advance.provider !== cmd.provider || state.balance <= 0) return []
  if (state.applied[cmd.claim] !== undefined) return []
  const amount = Math.min(state.balance, cmd.amount)
  return [
    {
      type: 'AdvanceApplied',
      data: {
        class: cmd.class,
        provider: cmd.provider,
        claim: cmd.claim,
        worker: cmd.worker,
        amount,
        balance: state.balance - amount,
      },
    },
  ]
}

export const advanceDecider: Decider<AdvanceState, AdvanceCommand, AdvanceEvent> = {
  initialState: () => ({ applied: {}, balance: 0 }),
  evolve(state, event) {
    if (event.type === 'AdvancePaid')
      return { ...state, advance: event.data, balance: state.balance + event.data.amount }
    return {
      ...state,
      applied: { ...state.applied, [event.data.claim]: event.data.amount },
      balance: state.balance - event.data.amount,
    }
  },
  decide: (command, state) =>
    command.kind === 'advance' ? payAdvance(command, state) : applyAdvance(command, state),
}
