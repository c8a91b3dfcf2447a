import type { EventData } from '@trec/contracts'
import type { PayClaim, SubmitClaim } from '../../src/domain/claim-commands.ts'
import { claimIdFor } from '../../src/domain/claim-commands.ts'
import type { SubsidyEvent } from '../../src/domain/claim-state.ts'
import type { Fact } from '../../src/domain/facts.ts'
import { certificate, cls, contributions, electrician, institution, sjz, today, worker } from '../record.ts'

// Commands and history for the given/when/then specifications.

/** A provider's 就业技能培训 claim for the worker of the class (D2: ≤ ¥2,200). */
export const trainingClaim = (facts: readonly Fact[], over: Partial<SubmitClaim> = {}): SubmitClaim => ({
  kind: 'submit',
  worker,
  region: '130100',
  subsidy: 'training',
  payee: { kind: 'provider', id: institution },
  amount: 220_000,
  class: cls,
  today,
  rules: sjz,
  evidence: { facts },
  ...over,
})

/** An officer's 技能提升补贴 claim for the worker's 中级工 certificate (D2: ¥1,500). */
export const skillUpgradeClaim = (facts: readonly Fact[], over: Partial<SubmitClaim> = {}): SubmitClaim => ({
  kind: 'submit',
  worker,
  region: '130100',
  subsidy: 'skill_upgrade',
  payee: { kind: 'worker', id: worker },
  amount: 150_000,
  certificate: 'cert-2021-77120',
  today,
  rules: sjz,
  evidence: { facts },
  ...over,
})

/** What a skill-upgrade claim needs on the record: verified identity, the certificate, 12+ months. */
export const skillUpgradeRecord = () => [
  {
    id: '0190f3a1-7c2e-7a4b-8c3d-000000000001',
    type: 'IdentityVerified' as const,
    data: {
      worker,
      method: 'e_card' as const,
      platformRef: 'EC-1',
      result: 'verified' as const,
      verifiedBy: { kind: 'platform' as const, id: 'ssc-national' },
    },
  },
  certificate(),
  contributions(),
]

/** A claim already in the worker's history. */
export function pastClaim(
  n: number,
  over: Partial<EventData<'SubsidyClaimSubmitted'>> = {},
): Extract<SubsidyEvent, { type: 'SubsidyClaimSubmitted' }> {
  return {
    type: 'SubsidyClaimSubmitted',
    data: {
      claim: claimIdFor(worker, n),
      worker,
      region: '130100',
      kind: 'training',
      payee: { kind: 'provider', id: institution },
      amount: 220_000,
      class: `cls-past-${n}`,
      claimedOn: '2021-03-01',
      ruleSet: { id: sjz.id, version: sjz.version },
      occupationCode: '4-01-02-01',
      level: 5,
      ...over,
    },
  }
}

export const reviewedOk = (n: number, amount = 220_000): SubsidyEvent => ({
  type: 'SubsidyClaimReviewed',
  data: {
    claim: claimIdFor(worker, n),
    worker,
    reviewer: { kind: 'third_party', id: 'tp-hebei-007' },
    outcome: 'approved',
    approvedAmount: amount,
    reasons: [],
    ruleSet: { id: sjz.id, version: sjz.version },
  },
})

export const approved = (n: number, amount = 220_000): SubsidyEvent => ({
  type: 'SubsidyClaimDecided',
  data: {
    claim: claimIdFor(worker, n),
    worker,
    outcome: 'approved',
    approvedAmount: amount,
    reasons: [],
    ruleSet: { id: sjz.id, version: sjz.version },
  },
})

export const paid = (n: number, amount = 220_000): SubsidyEvent => ({
  type: 'SubsidyPaid',
  data: {
    claim: claimIdFor(worker, n),
    worker,
    amount,
    payee: { kind: 'provider', id: institution },
    evidence: ['0190f3a1-7c2e-7a4b-8c3d-000000000009'],
    ruleSet: { id: sjz.id, version: sjz.version },
    paymentRef: `CZ-${n}`,
  },
})

export const payment = (facts: readonly Fact[], n = 1, over: Partial<PayClaim> = {}): PayClaim => ({
  kind: 'pay',
  claim: claimIdFor(worker, n),
  today,
  rules: sjz,
  evidence: { facts },
  paymentRef: 'CZ-130100-20210701-5531',
  ...over,
})

export { electrician }
