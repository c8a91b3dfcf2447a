import { spec } from '@trec/command/testing'
import { isTrecError } from '@trec/core'
import { describe, expect, it } from 'vitest'
import { subsidyDecider } from '../../src/domain/claim-decider.ts'
import type { SubsidyEvent } from '../../src/domain/claim-state.ts'
import { contributions, fullRecord, sjz, worker } from '../record.ts'
import { approved, paid, pastClaim, reviewedOk } from './commands.ts'

// Submit → review (authority or 第三方) → approval → payment through the gate → clawback.

const claim = `clm-${worker}-1`
const ruleSet = { id: sjz.id, version: sjz.version }
const submitted = pastClaim(1, {
  class: 'cls-2021-0315',
  occupationCode: '6-31-01-03',
  level: 4,
  claimedOn: '2021-06-15',
})
const given = (...history: SubsidyEvent[]) => spec(subsidyDecider).given(submitted, ...history)

describe('review', () => {
  it('records a third party’s approval under the claim’s rule set, for the amount claimed by default', () => {
    given()
      .when({
        kind: 'review',
        claim,
        reviewer: { kind: 'third_party', id: 'tp-1' },
        outcome: 'approved',
        reasons: [],
      })
      .then({
        type: 'SubsidyClaimReviewed',
        data: {
          claim,
          worker,
          reviewer: { kind: 'third_party', id: 'tp-1' },
          outcome: 'approved',
          approvedAmount: 220_000,
          reasons: [],
          ruleSet,
        },
      })
  })

  it('refuses to approve more than was claimed (approved-amount)', () => {
    given()
      .when({
        kind: 'review',
        claim,
        reviewer: { kind: 'authority', id: 'r1' },
        outcome: 'approved',
        approvedAmount: 220_001,
        reasons: [],
      })
      .rejects('approved-amount')
  })

  it('refuses to review a claim already decided (claim-status)', () => {
    given(reviewedOk(1), approved(1))
      .when({
        kind: 'review',
        claim,
        reviewer: { kind: 'authority', id: 'r1' },
        outcome: 'rejected',
        reasons: ['x'],
      })
      .rejects('claim-status')
  })

  it('answers an unknown claim with not found', () => {
    const error = (() => {
      try {
        given()
          .when({
            kind: 'review',
            claim: `clm-${worker}-9`,
            reviewer: { kind: 'authority', id: 'r' },
            outcome: 'approved',
            reasons: [],
          })
          .events()
      } catch (e) {
        return e
      }
    })()
    expect(isTrecError(error, 'TREC_NOT_FOUND')).toBe(true)
  })
})

describe('approval by the authority', () => {
  it('approves for the amount the last review approved', () => {
    given(reviewedOk(1, 200_000))
      .when({ kind: 'decide', claim, outcome: 'approved', reasons: [] })
      .then({
        type: 'SubsidyClaimDecided',
        data: { claim, worker, outcome: 'approved', approvedAmount: 200_000, reasons: [], ruleSet },
      })
  })

  it('refuses to approve an unreviewed claim, or one whose last review did not approve (review-approved)', () => {
    given().when({ kind: 'decide', claim, outcome: 'approved', reasons: [] }).rejects('review-approved')
    const returned: SubsidyEvent = {
      type: 'SubsidyClaimReviewed',
      data: {
        claim,
        worker,
        reviewer: { kind: 'authority', id: 'r' },
        outcome: 'returned',
        reasons: ['补正材料'],
        ruleSet,
      },
    }
    given(reviewedOk(1), returned)
      .when({ kind: 'decide', claim, outcome: 'approved', reasons: [] })
      .rejects('review-approved')
  })

  it('refuses to approve more than the review did (approved-amount)', () => {
    given(reviewedOk(1, 200_000))
      .when({ kind: 'decide', claim, outcome: 'approved', approvedAmount: 210_000, reasons: [] })
      .rejects('approved-amount')
  })

  it('may reject without a review, giving reasons', () => {
    const [event] = given()
      .when({ kind: 'decide', claim, outcome: 'rejected', reasons: ['重复申领'] })
      .events()
    expect(event?.data).toMatchObject({ outcome: 'rejected', reasons: ['重复申领'] })
  })
})

describe('clawback (追回)', () => {
  const paidClaim = () => given(reviewedOk(1), approved(1, 200_000), paid(1, 200_000))

  it('recovers all that is outstanding by default, with reason and evidence', () => {
    const evidence = ['0190f3a1-7c2e-7a4b-8c3d-00000000000a']
    paidClaim()
      .when({ kind: 'claw-back', claim, reason: 'certificate_revoked', evidence })
      .then({
        type: 'SubsidyClawedBack',
        data: { claim, worker, amount: 200_000, reason: 'certificate_revoked', evidence },
      })
  })

  it('refuses to recover more than is outstanding (clawback-amount)', () => {
    const part: SubsidyEvent = {
      type: 'SubsidyClawedBack',
      data: { claim, worker, amount: 150_000, reason: 'other', evidence: [] },
    }
    spec(subsidyDecider)
      .given(submitted, reviewedOk(1), approved(1, 200_000), paid(1, 200_000), part)
      .when({ kind: 'claw-back', claim, amount: 50_001, reason: 'other', evidence: [] })
      .rejects('clawback-amount')
  })

  it('refuses to recover an unpaid claim (claim-status)', () => {
    given(reviewedOk(1))
      .when({ kind: 'claw-back', claim, reason: 'other', evidence: [] })
      .rejects('claim-status')
  })

  it('frees the occupation and level once wholly recovered', () => {
    const whole: SubsidyEvent = {
      type: 'SubsidyClawedBack',
      data: { claim, worker, amount: 220_000, reason: 'paid_in_error', evidence: [] },
    }
    const resubmit = {
      kind: 'submit' as const,
      worker,
      region: '130100',
      subsidy: 'training' as const,
      payee: { kind: 'provider' as const, id: 'inst-130100-0042' },
      amount: 220_000,
      class: 'cls-2021-0315',
      today: '2021-06-15',
      rules: sjz,
      evidence: { facts: fullRecord() },
    }
    spec(subsidyDecider)
      .given(submitted, reviewedOk(1), approved(1), paid(1))
      .when(resubmit)
      .rejects('duplicate-claim', 'once-per-occupation-level')
    expect(
      spec(subsidyDecider)
        .given(submitted, reviewedOk(1), approved(1), paid(1), whole)
        .when(resubmit)
        .events(),
    ).toHaveLength(1)
  })
})

describe('contribution history from the social-insurance system', () => {
  it('records what the system attested', () => {
    const { data } = contributions(27, true, '2021-06-01')
    spec(subsidyDecider)
      .given()
      .when({ kind: 'attest', ...data, today: '2021-06-15' })
      .then({ type: 'ContributionHistoryAttested', data })
  })

  it('refuses an attestation dated in the future (attestation-date)', () => {
    const { data } = contributions(27, true, '2021-06-16')
    spec(subsidyDecider)
      .given()
      .when({ kind: 'attest', ...data, today: '2021-06-15' })
      .rejects('attestation-date')
  })
})
