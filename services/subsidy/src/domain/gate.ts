import type { RuleViolation } from '@trec/command'
import { amountStandard } from './amount-standard.ts'
import { type ClaimBasis, claimBasis } from './basis.ts'
import { type ClaimFacts, violation } from './claim-facts.ts'
import type { ClaimState } from './claim-state.ts'
import { checkContribution, checkDeadline, checkGroups, checkInstitution } from './eligibility-rules.ts'
import { type Checked, checkChain } from './evidence-rules.ts'
import type { Evidence } from './facts.ts'
import {
  checkEnterpriseRegion,
  checkJointBase,
  checkProgrammeOfKind,
  employmentMonths,
} from './kind-rules.ts'
import { checkHistory } from './practice-rules.ts'
import { type RuleSet, refOf } from './rule-set.ts'

// The 不进不补 gate (D1, D3): run when a claim is made, so a bad claim fails early, and again when
// it is paid, on the record as it stands then. Every violation is returned, not only the first.

export interface GateInput {
  claim: ClaimFacts
  rules: RuleSet
  evidence: Evidence
  /** The worker's claims (the one judged may be among them; it is not counted against itself). */
  history: readonly ClaimState[]
  /** The day of the decision (China), against which delisting takes effect. */
  today: string
}

export interface GateResult {
  violations: RuleViolation[]
  /** Ids of the events the decision rests on, in chain order, each once. */
  evidence: string[]
  basis: ClaimBasis
  /** The most the claim may be for, when the rule set has a standard for it. */
  standard?: number
}

export function runGate({ claim, rules, evidence, history, today }: GateInput): GateResult {
  const ref = refOf(rules)
  const basis = claimBasis(claim, evidence, rules)
  const rule = rules.kinds[claim.kind]
  if (!rule)
    return {
      violations: [
        violation('kind-configured', `the rule set has no standard for ${claim.kind} subsidies`, ref),
      ],
      evidence: [],
      basis,
    }
  const out: Checked = { violations: [], evidence: [] }
  const fail = (id: string, message: string, details?: Record<string, unknown>) =>
    out.violations.push(violation(id, message, ref, details))

  if (!rule.payees.includes(claim.payee.kind))
    fail('payee-kind', `a ${claim.kind} subsidy is not paid to a ${claim.payee.kind}`, {
      allowed: rule.payees,
    })
  const chain = checkChain(claim, rule, rules, basis, evidence)
  out.violations.push(...chain.violations)
  out.evidence.push(...chain.evidence)
  checkContribution(rule, evidence, fail, out)
  checkGroups(claim, rule, evidence, fail, out)
  checkInstitution(claim.payee, evidence, today, fail)
  checkDeadline(claim, rules, basis, fail)
  checkProgrammeOfKind(claim, rule, basis, fail)
  checkJointBase(claim, rule, basis, evidence, fail)
  checkEnterpriseRegion(claim, rule, evidence, fail)
  const months = employmentMonths(claim, rule, basis, evidence, fail, out)

  const practice = rules.practice
  const needsOccupation =
    rule.amount.basis === 'level' ||
    practice.oncePerOccupationLevel?.kinds.includes(claim.kind) === true ||
    practice.noLowerLevelAfterHigher === true
  if (
    needsOccupation &&
    (basis.occupationCode === undefined || (rule.amount.basis === 'level' && basis.level === undefined))
  )
    fail('occupation-known', 'the record does not show the occupation and level the claim is for', {
      occupationCode: basis.occupationCode ?? null,
      level: basis.level ?? null,
    })
  checkHistory(claim, rule, rules, basis, history, evidence, fail)

  const standard = amountStandard(claim.kind, rule, basis, months)
  if (standard === undefined) {
    // A monthly kind with no month on the record has already failed `employment-months`.
    if (basis.level !== undefined && rule.amount.basis !== 'monthly')
      fail('amount-standard', `the rule set has no ${claim.kind} standard for level ${basis.level}`, {
        level: basis.level,
      })
  } else if (claim.amount > standard)
    fail('amount-standard', 'the amount is above the standard', {
      amount: claim.amount,
      standard,
      shortage: basis.shortage,
      ...(rule.amount.basis === 'monthly' ? { months } : {}),
    })

  return {
    violations: out.violations,
    evidence: [...new Set(out.evidence)],
    basis,
    ...(standard === undefined ? {} : { standard }),
  }
}
