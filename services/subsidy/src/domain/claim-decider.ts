import { type Decider, reject } from '@trec/command'
import { TrecError } from '@trec/core'
import {
  type AttestContributions,
  type ClawBack,
  claimIdFor,
  type DecideClaim,
  type ObjectToPublication,
  type OfferedAccount,
  type PayClaim,
  type ReviewClaim,
  type ReviewSanction,
  type RuleOnObjection,
  type SubmitClaim,
  type SubsidyCommand,
} from './claim-commands.ts'
import { type ClaimFacts, violation } from './claim-facts.ts'
import {
  type ClaimState,
  evolveSubsidy,
  initialSubsidyState,
  type SubsidyEvent,
  type SubsidyState,
} from './claim-state.ts'
import type { Evidence } from './facts.ts'
import { type GateResult, runGate } from './gate.ts'
import {
  checkObjectionFiled,
  checkObjectionRuled,
  publicationHold,
  publicationPeriod,
} from './publication.ts'
import { type RuleSet, refOf } from './rule-set.ts'
import { heldBySanction, sanctionOver } from './sanction-hold.ts'

// A worker's subsidy claims (`subsidy-{worker}`): submit → review (possibly by a 第三方, D0) →
// approval by the authority → payment through the gate → clawback. Each step refuses with a
// stable rule id and appends nothing.

const status = (claim: ClaimState, allowed: ClaimState['status'][], action: string) =>
  allowed.includes(claim.status)
    ? undefined
    : reject({
        rule: 'claim-status',
        message: `a ${claim.status} claim cannot be ${action}`,
        details: { status: claim.status },
      })

function claimOf(state: SubsidyState, id: string): ClaimState {
  const claim = state.claims[id]
  if (!claim) throw new TrecError('TREC_NOT_FOUND', `no claim ${id}`, { details: { claim: id } })
  return claim
}

function submit(cmd: SubmitClaim, state: SubsidyState): SubsidyEvent[] {
  if (!cmd.rules)
    reject({
      rule: 'rule-set-in-force',
      message: `no subsidy rule set is in force for region ${cmd.region} on ${cmd.today}`,
      details: { region: cmd.region, day: cmd.today },
    })
  const claim = claimIdFor(cmd.worker, state.count + 1)
  const facts: ClaimFacts = {
    claim,
    worker: cmd.worker,
    region: cmd.region,
    kind: cmd.subsidy,
    payee: cmd.payee,
    amount: cmd.amount,
    class: cmd.class,
    certificate: cmd.certificate,
    claimedOn: cmd.today,
  }
  const gate = runGate({
    claim: facts,
    rules: cmd.rules,
    evidence: cmd.evidence,
    history: Object.values(state.claims),
    today: cmd.today,
  })
  if (gate.violations.length > 0) reject(...gate.violations)
  const { occupationCode, level } = gate.basis
  return [
    {
      type: 'SubsidyClaimSubmitted',
      data: {
        claim,
        worker: cmd.worker,
        region: cmd.region,
        kind: cmd.subsidy,
        payee: cmd.payee,
        amount: cmd.amount,
        ...(cmd.class === undefined ? {} : { class: cmd.class }),
        ...(cmd.certificate === undefined ? {} : { certificate: cmd.certificate }),
        claimedOn: cmd.today,
        ruleSet: refOf(cmd.rules),
        ...(occupationCode === undefined ? {} : { occupationCode }),
        ...(level === undefined ? {} : { level }),
      },
    },
  ]
}

function review(cmd: ReviewClaim, state: SubsidyState): SubsidyEvent[] {
  const claim = claimOf(state, cmd.claim)
  status(claim, ['submitted'], 'reviewed')
  const amount = claim.submitted.amount
  if (cmd.approvedAmount !== undefined && cmd.approvedAmount > amount)
    reject({
      rule: 'approved-amount',
      message: 'a review cannot approve more than was claimed',
      details: { claimed: amount },
    })
  const approvedAmount = cmd.outcome === 'approved' ? (cmd.approvedAmount ?? amount) : undefined
  const { worker, ruleSet } = claim.submitted
  return [
    {
      type: 'SubsidyClaimReviewed',
      data: {
        claim: cmd.claim,
        worker,
        reviewer: cmd.reviewer,
        outcome: cmd.outcome,
        ...(approvedAmount === undefined ? {} : { approvedAmount }),
        reasons: cmd.reasons,
        ruleSet,
      },
    },
  ]
}

function decide(cmd: DecideClaim, state: SubsidyState): SubsidyEvent[] {
  const claim = claimOf(state, cmd.claim)
  status(claim, ['submitted'], 'decided')
  const { worker, ruleSet } = claim.submitted
  if (cmd.outcome === 'rejected')
    return [
      {
        type: 'SubsidyClaimDecided',
        data: { claim: cmd.claim, worker, outcome: 'rejected', reasons: cmd.reasons, ruleSet },
      },
    ]
  const last = claim.reviews.at(-1)
  if (last?.outcome !== 'approved' || last.approvedAmount === undefined)
    return reject({
      rule: 'review-approved',
      message: 'a claim is approved only after a review approved it',
      details: { lastReview: last?.outcome ?? null },
    })
  const approvedAmount = cmd.approvedAmount ?? last.approvedAmount
  if (approvedAmount > last.approvedAmount)
    reject({
      rule: 'approved-amount',
      message: 'the approval cannot exceed the amount the review approved',
      details: { reviewed: last.approvedAmount },
    })
  const decided: SubsidyEvent = {
    type: 'SubsidyClaimDecided',
    data: { claim: cmd.claim, worker, outcome: 'approved', approvedAmount, reasons: cmd.reasons, ruleSet },
  }
  if (!cmd.publication) return [decided]
  const period = publicationPeriod(cmd.publication.today, cmd.publication.days)
  return [decided, { type: 'ClaimPublished', data: { claim: cmd.claim, worker, ...period, ruleSet } }]
}

function objectToPublication(cmd: ObjectToPublication, state: SubsidyState): SubsidyEvent[] {
  const claim = claimOf(state, cmd.claim)
  checkObjectionFiled(claim, cmd.objection, cmd.today)
  // Filing again the same objection (a retry) files nothing new.
  if (claim.objections.some((o) => o.objection === cmd.objection)) return []
  const { worker } = claim.submitted
  const { claim: id, objection, reason } = cmd
  return [{ type: 'PublicationObjectionFiled', data: { claim: id, worker, objection, reason } }]
}

function ruleOnObjection(cmd: RuleOnObjection, state: SubsidyState): SubsidyEvent[] {
  const claim = claimOf(state, cmd.claim)
  checkObjectionRuled(claim, cmd.objection)
  const { worker } = claim.submitted
  const { claim: id, objection, outcome, note } = cmd
  return [{ type: 'PublicationObjectionRuled', data: { claim: id, worker, objection, outcome, note } }]
}

/**
 * The gate as a payment of `claim` runs it on `today`, on the approved amount and the record in
 * `evidence`: no violation means it would be paid; each violation is something the record still
 * lacks (or a rule it breaks). The payment decision and the list of what claims lack both call it.
 */
export function paymentGate(
  claim: ClaimState,
  state: SubsidyState,
  rules: RuleSet,
  evidence: Evidence,
  today: string,
): GateResult {
  const amount = claim.decision?.approvedAmount ?? claim.submitted.amount
  const gate = runGate({
    claim: { ...claim.submitted, amount },
    rules,
    evidence,
    history: Object.values(state.claims),
    today,
  })
  const held = heldBySanction(claim.submitted, evidence)
  if (held)
    gate.violations.push(
      violation(
        'sanction-review',
        held.review
          ? `an officer rejected the claim on review after the institution's ${held.sanction.kind}`
          : `the institution came under a ${held.sanction.kind} from ${held.sanction.from} after the claim was made; it is paid only once an officer's review lets it continue`,
        refOf(rules),
        {
          sanction: held.sanction.kind,
          from: held.sanction.from,
          ...(held.sanction.to === undefined ? {} : { to: held.sanction.to }),
          ...(held.sanction.citation ? { case: held.sanction.citation.case } : {}),
          review: held.review?.outcome ?? null,
        },
      ),
    )
  const published = publicationHold(claim, today)
  if (published)
    gate.violations.push(violation(published.rule, published.message, refOf(rules), published.details))
  return gate
}

function sanctionReview(cmd: ReviewSanction, state: SubsidyState): SubsidyEvent[] {
  const claim = claimOf(state, cmd.claim)
  status(claim, ['submitted', 'approved'], 'reviewed for a sanction')
  const sanction = sanctionOver(claim.submitted, cmd.evidence)
  if (!sanction)
    reject({
      rule: 'sanction-review',
      message: "the claim's institution came under no sanction after the claim was made",
      details: { claimedOn: claim.submitted.claimedOn },
    })
  const { worker, payee } = claim.submitted
  return [
    {
      type: 'ClaimSanctionReviewed',
      data: {
        claim: cmd.claim,
        worker,
        institution: payee.id,
        sanction,
        outcome: cmd.outcome,
        note: cmd.note,
      },
    },
  ]
}

function pay(cmd: PayClaim, state: SubsidyState): SubsidyEvent[] {
  const claim = claimOf(state, cmd.claim)
  status(claim, ['approved'], 'paid')
  const s = claim.submitted
  if (!cmd.rules)
    reject({
      rule: 'rule-set-in-force',
      message: `the rule set ${s.ruleSet.id} version ${s.ruleSet.version} the claim was judged by is not loaded`,
      details: { ruleSet: s.ruleSet },
    })
  const account = s.payee.kind === 'worker' ? cardAccountFor(cmd.offered, state) : undefined
  const amount = claim.decision?.approvedAmount ?? s.amount
  const gate = paymentGate(claim, state, cmd.rules, cmd.evidence, cmd.today)
  if (gate.violations.length > 0) reject(...gate.violations)
  return [
    {
      type: 'SubsidyPaid',
      data: {
        claim: cmd.claim,
        worker: s.worker,
        amount,
        payee: s.payee,
        ...(account === undefined ? {} : { account }),
        evidence: gate.evidence,
        ruleSet: refOf(cmd.rules),
        ...(cmd.fundSource === undefined ? {} : { fundSource: cmd.fundSource }),
        paymentRef: cmd.paymentRef,
      },
    },
  ]
}

/**
 * 持卡领补 (D3): a worker's subsidy goes to the account of their social-security card as the card
 * service registered it, never to an account anyone else names.
 */
export function cardAccountFor(
  offered: OfferedAccount | undefined,
  state: SubsidyState,
): NonNullable<SubsidyState['cardAccount']> {
  if (!state.cardAccount)
    return reject({
      rule: 'card-account-registered',
      message:
        'no social-security card account is registered for this worker: the card service registers it (持卡领补)',
      details: {},
    })
  if (offered === 'other_account')
    reject({
      rule: 'card-account',
      message: 'a worker’s subsidy is paid only to the account of their social-security card (持卡领补)',
      details: { offered },
    })
  return state.cardAccount
}

function clawBack(cmd: ClawBack, state: SubsidyState): SubsidyEvent[] {
  const claim = claimOf(state, cmd.claim)
  status(claim, ['paid'], 'clawed back')
  const outstanding = (claim.payment?.amount ?? 0) - claim.clawedBack
  const amount = cmd.amount ?? outstanding
  if (amount > outstanding)
    reject({
      rule: 'clawback-amount',
      message: 'cannot recover more than was paid and is not yet recovered',
      details: { amount, outstanding },
    })
  return [
    {
      type: 'SubsidyClawedBack',
      data: {
        claim: cmd.claim,
        worker: claim.submitted.worker,
        amount,
        reason: cmd.reason,
        ...(cmd.case === undefined ? {} : { case: cmd.case }),
        evidence: cmd.evidence,
        ...(cmd.note === undefined ? {} : { note: cmd.note }),
      },
    },
  ]
}

function attest(cmd: AttestContributions): SubsidyEvent[] {
  if (cmd.asOf > cmd.today)
    reject({
      rule: 'attestation-date',
      message: 'a contribution history cannot describe a day to come',
      details: { asOf: cmd.asOf },
    })
  const { worker, months, asOf, enterpriseEmployee, source } = cmd
  return [{ type: 'ContributionHistoryAttested', data: { worker, months, asOf, enterpriseEmployee, source } }]
}

export const subsidyDecider: Decider<SubsidyState, SubsidyCommand, SubsidyEvent> = {
  initialState: initialSubsidyState,
  evolve: evolveSubsidy,
  decide(command, state) {
    switch (command.kind) {
      case 'submit':
        return submit(command, state)
      case 'review':
        return review(command, state)
      case 'decide':
        return decide(command, state)
      case 'pay':
        return pay(command, state)
      case 'sanction-review':
        return sanctionReview(command, state)
      case 'publication-objection':
        return objectToPublication(command, state)
      case 'publication-ruling':
        return ruleOnObjection(command, state)
      case 'claw-back':
        return clawBack(command, state)
      case 'attest':
        return attest(command)
      case 'register-card-account':
        return [{ type: 'CardAccountRegistered', data: command.data }]
    }
  },
}
