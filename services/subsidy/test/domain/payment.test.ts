import { spec } from '@trec/command/testing'
import { describe, expect, it } from 'vitest'
import { subsidyDecider } from '../../src/domain/claim-decider.ts'
import type { SubsidyEvent } from '../../src/domain/claim-state.ts'
import { delisted, fact, fullRecord, institution, revoked, sjz, suspended, worker } from '../record.ts'
import { approved, paid, pastClaim, payment, reviewedOk, skillUpgradeRecord } from './commands.ts'

// Payment: the gate again, on the record as it stands when the money goes out.

const claim = `clm-${worker}-1`
const ruleSet = { id: sjz.id, version: sjz.version }
const submitted = pastClaim(1, {
  class: 'cls-2021-0315',
  occupationCode: '6-31-01-03',
  level: 4,
  claimedOn: '2021-06-15',
})
const given = (...history: SubsidyEvent[]) => spec(subsidyDecider).given(submitted, ...history)

describe('payment through the gate', () => {
  const approvedClaim = () => given(reviewedOk(1), approved(1, 200_000))

  it('pays the approved amount, naming the evidence it was decided on and the rule set', () => {
    const record = fullRecord()
    const [event] = approvedClaim().when(payment(record)).events()
    const byType = (t: string) => record.filter((f) => f.type === t).map((f) => f.id)
    expect(event).toMatchObject({
      type: 'SubsidyPaid',
      data: { claim, amount: 200_000, ruleSet, paymentRef: 'CZ-130100-20210701-5531' },
    })
    const evidence = event?.type === 'SubsidyPaid' ? event.data.evidence : []
    expect(evidence).toEqual([
      ...byType('WorkerEnrolled'),
      ...byType('IdentityVerified'),
      ...byType('FaceCheckRecorded'),
      ...byType('TrainingCompleted'),
    ])
  })

  it('refuses to pay before approval, or twice (claim-status)', () => {
    given(reviewedOk(1)).when(payment(fullRecord())).rejects('claim-status')
    given(reviewedOk(1), approved(1), paid(1)).when(payment(fullRecord())).rejects('claim-status')
  })

  it('judges the record as it is at payment: a provider delisted since approval is not paid (institution-delisted)', () => {
    approvedClaim()
      .when(payment([...fullRecord(), delisted('2021-06-20')], 1, { today: '2021-07-01' }))
      .rejects('institution-delisted', 'sanction-review')
  })

  it('holds a claim made before a suspension for review, pays it after the suspension once a review lets it continue', () => {
    const window = suspended('2021-06-20', '2021-06-30')
    approvedClaim()
      .when(payment([...fullRecord(), window], 1, { today: '2021-06-25' }))
      .rejects('institution-suspended', 'sanction-review')
    approvedClaim()
      .when(payment([...fullRecord(), window], 1, { today: '2021-07-01' }))
      .rejects('sanction-review')
    const review = fact('ClaimSanctionReviewed', {
      claim,
      worker,
      institution,
      sanction: { kind: 'suspension', from: '2021-06-20', to: '2021-06-30' },
      outcome: 'continue',
      note: '培训在暂停前已完成',
    })
    const [event] = approvedClaim()
      .when(payment([...fullRecord(), window, review], 1, { today: '2021-07-01' }))
      .events()
    expect(event?.type).toBe('SubsidyPaid')
  })

  it('refuses when the claim’s rule set is no longer loaded (rule-set-in-force)', () => {
    approvedClaim()
      .when(payment(fullRecord(), 1, { rules: undefined }))
      .rejects('rule-set-in-force')
  })

  it('pays a worker only to the account of their social-security card (持卡领补)', () => {
    const s = pastClaim(1, {
      kind: 'skill_upgrade',
      payee: { kind: 'worker', id: worker },
      amount: 150_000,
      class: undefined,
      certificate: 'cert-2021-77120',
      occupationCode: '6-31-01-03',
      level: 4,
      claimedOn: '2021-06-15',
    })
    const account = {
      kind: 'ssc_card' as const,
      bankAccount: { sealed: 'A256GCM' as const, kid: worker, iv: 'aaaa', ct: 'bbbb' },
    }
    const registered: SubsidyEvent = {
      type: 'CardAccountRegistered',
      data: { worker, account, bank: 'ICBC', issuedIn: '130102', source: { system: 'ssc', ref: 'r-1' } },
    }
    const unregistered = spec(subsidyDecider).given(s, reviewedOk(1, 150_000), approved(1, 150_000))
    unregistered.when(payment(skillUpgradeRecord())).rejects('card-account-registered')
    const history = spec(subsidyDecider).given(s, registered, reviewedOk(1, 150_000), approved(1, 150_000))
    const [event] = history.when(payment(skillUpgradeRecord())).events()
    expect(event?.data).toMatchObject({ amount: 150_000, account })
    const [same] = history.when(payment(skillUpgradeRecord(), 1, { offered: 'card_account' })).events()
    expect(same?.data).toMatchObject({ account })
    history.when(payment(skillUpgradeRecord(), 1, { offered: 'other_account' })).rejects('card-account')
    history.when(payment([...skillUpgradeRecord(), revoked()], 1)).rejects('certificate-required')
  })
})
