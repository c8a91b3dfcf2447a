import { spec } from '@trec/command/testing'
import { isTrecError } from '@trec/core'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { subsidyDecider } from '../../src/domain/claim-decider.ts'
import type { SubsidyEvent } from '../../src/domain/claim-state.ts'
import { certificate, enterprise, fullRecord, sjz, worker } from '../record.ts'
import { pastClaim, skillUpgradeClaim, skillUpgradeRecord, trainingClaim } from './commands.ts'

// National practice the seeds do not state (docs/domain.md §3, §9), configurable per rule set,
// judged over the worker's subsidy history; and the seed's 「每人每年」 for 新型学徒制 (D2).

const claimedBefore = (...history: SubsidyEvent[]) => spec(subsidyDecider).given(...history)
const rejected = (n: number): SubsidyEvent => ({
  type: 'SubsidyClaimDecided',
  data: {
    claim: `clm-${worker}-${n}`,
    worker,
    outcome: 'rejected',
    reasons: ['材料不实'],
    ruleSet: { id: sjz.id, version: sjz.version },
  },
})

describe('once per occupation and level (NOT IN SEEDS)', () => {
  const sameLevel = pastClaim(1, { occupationCode: '6-31-01-03', level: 4 })

  it('refuses a second subsidy for the same occupation and level (once-per-occupation-level)', () => {
    const [reason] = claimedBefore(sameLevel)
      .when(trainingClaim(fullRecord()))
      .rejects('once-per-occupation-level')
    expect(reason?.details).toMatchObject({ occupationCode: '6-31-01-03', level: 4 })
  })

  it('applies across the training and skill-upgrade subsidies (不得重复享受)', () => {
    claimedBefore(sameLevel)
      .when(skillUpgradeClaim(skillUpgradeRecord()))
      .rejects('once-per-occupation-level')
  })

  it('does not count a claim that was rejected', () => {
    expect(claimedBefore(sameLevel, rejected(1)).when(trainingClaim(fullRecord())).events()).toHaveLength(1)
  })

  it('is off when the rule set leaves it out', () => {
    const rules = { ...sjz, practice: { ...sjz.practice, oncePerOccupationLevel: undefined } }
    expect(claimedBefore(sameLevel).when(trainingClaim(fullRecord(), { rules })).events()).toHaveLength(1)
  })
})

describe('a yearly cap of 3 (NOT IN SEEDS; some places 1 or 2)', () => {
  const three = [1, 2, 3].map((n) => pastClaim(n, { occupationCode: `4-01-02-0${n}` }))

  it('refuses a fourth subsidy in the same year (yearly-cap)', () => {
    const [reason] = claimedBefore(...three)
      .when(trainingClaim(fullRecord()))
      .rejects('yearly-cap')
    expect(reason?.details).toMatchObject({ year: '2021', max: 3 })
  })

  it('counts only the claim’s calendar year', () => {
    const lastYear = [1, 2, 3].map((n) =>
      pastClaim(n, { occupationCode: `4-01-02-0${n}`, claimedOn: '2020-12-31' }),
    )
    expect(
      claimedBefore(...lastYear)
        .when(trainingClaim(fullRecord()))
        .events(),
    ).toHaveLength(1)
  })

  it('follows the region’s number', () => {
    const rules = {
      ...sjz,
      practice: { ...sjz.practice, yearlyCap: { max: 1, kinds: ['training' as const] } },
    }
    claimedBefore(three[0]!).when(trainingClaim(fullRecord(), { rules })).rejects('yearly-cap')
  })
})

describe('no lower level after a higher certificate (NOT IN SEEDS)', () => {
  it('refuses 中级工 once the worker holds a 高级工 certificate of the occupation (lower-level-after-higher)', () => {
    const higher = certificate({ certificate: 'cert-2020-1', serial: 'S1', level: 3, issuedOn: '2020-09-01' })
    claimedBefore()
      .when(trainingClaim([...fullRecord(), higher]))
      .rejects('lower-level-after-higher')
  })

  it('refuses it once a higher level of the occupation was subsidised (lower-level-after-higher)', () => {
    const past = pastClaim(1, { occupationCode: '6-31-01-03', level: 3 })
    claimedBefore(past).when(trainingClaim(fullRecord())).rejects('lower-level-after-higher')
  })

  it('ignores a higher certificate of another occupation, or one issued later', () => {
    const other = certificate({
      certificate: 'cert-2020-2',
      serial: 'S2',
      occupationCode: '4-01-02-01',
      level: 3,
      issuedOn: '2020-09-01',
    })
    const later = certificate({ certificate: 'cert-2021-3', serial: 'S3', level: 3, issuedOn: '2021-06-10' })
    const record = [...skillUpgradeRecord(), other, later]
    expect(claimedBefore().when(skillUpgradeClaim(record)).events()).toHaveLength(1)
  })
})

describe('a claim within 12 months of the certificate (NOT IN SEEDS)', () => {
  it('refuses a claim made more than 12 months after issue (certificate-deadline)', () => {
    const old = [
      ...skillUpgradeRecord().filter((f) => f.type !== 'CertificateIssued'),
      certificate({ issuedOn: '2020-06-14' }),
    ]
    const [reason] = claimedBefore().when(skillUpgradeClaim(old)).rejects('certificate-deadline')
    expect(reason?.details).toMatchObject({ deadline: '2021-06-14', claimedOn: '2021-06-15' })
  })

  it('accepts one on the last day', () => {
    const old = [
      ...skillUpgradeRecord().filter((f) => f.type !== 'CertificateIssued'),
      certificate({ issuedOn: '2020-06-15' }),
    ]
    expect(claimedBefore().when(skillUpgradeClaim(old)).events()).toHaveLength(1)
  })
})

describe('新型学徒制: ¥4,000 / ¥6,000 per person per year to the enterprise (D2)', () => {
  const record = () =>
    fullRecord().map((f) =>
      f.type === 'WorkerEnrolled' ? { ...f, data: { ...f.data, institution: enterprise } } : f,
    )
  const apprenticeship = (over = {}) =>
    trainingClaim(record(), {
      subsidy: 'apprenticeship',
      payee: { kind: 'enterprise', id: enterprise },
      amount: 400_000,
      ...over,
    })

  it('pays the enterprise ¥4,000 for a 中级工 apprentice', () => {
    expect(claimedBefore().when(apprenticeship()).events()).toHaveLength(1)
    claimedBefore()
      .when(apprenticeship({ amount: 400_001 }))
      .rejects('amount-standard')
  })

  it('refuses a second apprenticeship claim for the worker in a year (once-per-year)', () => {
    const past = pastClaim(1, {
      kind: 'apprenticeship',
      payee: { kind: 'enterprise', id: enterprise },
      level: 3,
      occupationCode: '6-20-01-01',
    })
    claimedBefore(past).when(apprenticeship()).rejects('once-per-year')
  })

  it('refuses the worker as payee (payee-kind)', () => {
    claimedBefore()
      .when(apprenticeship({ payee: { kind: 'worker', id: worker } }))
      .rejects('payee-kind')
  })
})

describe('the same training or certificate twice', () => {
  it('refuses a second claim for the same class under the same kind (duplicate-claim)', () => {
    const rules = { ...sjz, practice: { source: 'none' } }
    const past = pastClaim(1, { class: 'cls-2021-0315', payee: { kind: 'worker', id: worker } })
    claimedBefore(past).when(trainingClaim(fullRecord(), { rules })).rejects('duplicate-claim')
  })

  it('refuses a second claim on one certificate (duplicate-claim)', () => {
    const rules = { ...sjz, practice: { source: 'none' } }
    const past = pastClaim(1, { kind: 'skill_upgrade', class: undefined, certificate: 'cert-2021-77120' })
    claimedBefore(past).when(skillUpgradeClaim(skillUpgradeRecord(), { rules })).rejects('duplicate-claim')
  })
})

describe('the limits hold over any sequence of claims', () => {
  it('never lets more than the yearly cap, or one occupation-and-level twice, through', () => {
    const claim = fc.record({
      occupation: fc.constantFrom('6-31-01-03', '4-01-02-01', '4-10-01-02'),
      level: fc.integer({ min: 3, max: 5 }),
      month: fc.integer({ min: 1, max: 12 }),
    })
    fc.assert(
      fc.property(fc.array(claim, { maxLength: 12 }), (claims) => {
        let state = subsidyDecider.initialState()
        for (const [i, c] of claims.entries()) {
          const cert = certificate({
            certificate: `cert-${i}`,
            serial: `S${i}`,
            occupationCode: c.occupation,
            level: c.level,
            issuedOn: '2021-01-01',
          })
          const today = `2021-${String(c.month).padStart(2, '0')}-15`
          const command = skillUpgradeClaim([...skillUpgradeRecord(), cert], {
            certificate: `cert-${i}`,
            today,
            amount: 100_000,
            rules: { ...sjz, practice: { ...sjz.practice, noLowerLevelAfterHigher: false } },
          })
          try {
            for (const e of subsidyDecider.decide(command, state)) state = subsidyDecider.evolve(state, e)
          } catch (error) {
            if (!isTrecError(error, 'TREC_RULE_FAILED')) throw error
          }
        }
        const accepted = Object.values(state.claims).map((c) => c.submitted)
        expect(accepted.length).toBeLessThanOrEqual(3)
        const keys = accepted.map((c) => `${c.occupationCode}/${c.level}`)
        expect(new Set(keys).size).toBe(keys.length)
      }),
      { numRuns: 60 },
    )
  })
})
