import { spec } from '@trec/command/testing'
import { describe, expect, it } from 'vitest'
import { subsidyDecider } from '../../src/domain/claim-decider.ts'
import type { Fact } from '../../src/domain/facts.ts'
import { certificate, delisted, fact, fullRecord, institution, programme, published, sjz } from '../record.ts'
import { skillUpgradeClaim, skillUpgradeRecord, trainingClaim } from './commands.ts'

// Who may be paid, under which rule set, and how much (D2 amounts; D1/D2 shortage uplift).
// Each refusal names its rule; nothing else fails alongside it.

const without = (facts: Fact[], type: Fact['type']) => facts.filter((f) => f.type !== type)
const given = () => spec(subsidyDecider).given()

describe('institutions', () => {
  it('refuses a provider delisted before the claim (institution-delisted)', () => {
    given()
      .when(trainingClaim([...fullRecord(), delisted('2021-06-01')]))
      .rejects('institution-delisted')
  })

  it('does not act on a delisting that takes effect later', () => {
    expect(
      given()
        .when(trainingClaim([...fullRecord(), delisted('2021-07-01')]))
        .events(),
    ).toHaveLength(1)
  })

  it('refuses a provider that is not designated (institution-designated)', () => {
    given()
      .when(trainingClaim(without(fullRecord(), 'InstitutionDesignated')))
      .rejects('institution-designated')
  })
})

describe('what the rule set provides', () => {
  it('refuses a claim when no rule set is in force (rule-set-in-force)', () => {
    given()
      .when(trainingClaim(fullRecord(), { rules: undefined }))
      .rejects('rule-set-in-force')
  })

  it('refuses a kind the rule set has no standard for (kind-configured)', () => {
    given()
      .when(trainingClaim(fullRecord(), { subsidy: 'living_allowance' }))
      .rejects('kind-configured')
  })

  it('refuses a payee the kind is not paid to (payee-kind)', () => {
    given()
      .when(skillUpgradeClaim(skillUpgradeRecord(), { payee: { kind: 'provider', id: institution } }))
      .rejects('payee-kind', 'institution-designated')
  })

  it('refuses a claim whose occupation the record does not show (occupation-known)', () => {
    given()
      .when(trainingClaim(without(fullRecord(), 'ProgrammePublished')))
      .rejects('occupation-known')
  })
})

describe('amounts (D2)', () => {
  it('refuses more than ¥2,200 for 就业技能培训 (amount-standard)', () => {
    const [reason] = given()
      .when(trainingClaim(fullRecord(), { amount: 220_001 }))
      .rejects('amount-standard')
    expect(reason?.details).toMatchObject({ standard: 220_000, shortage: false })
  })

  it('allows up to ¥2,500 for a shortage occupation, on the rule set’s list or the catalogue’s', () => {
    const others = fullRecord().filter((f) => f.type !== 'ProgrammePublished')
    const listed = { ...sjz, shortageOccupations: { source: 'test', codes: ['6-31'] } }
    const unflagged = [published({ amount: 250_000 }), ...others]
    given()
      .when(trainingClaim(unflagged, { amount: 250_000 }))
      .rejects('amount-standard')
    expect(
      given()
        .when(trainingClaim(unflagged, { amount: 250_000, rules: listed }))
        .events(),
    ).toHaveLength(1)
    const record = [published({ shortage: true, amount: 250_000 }), ...others]
    expect(
      given()
        .when(trainingClaim(record, { amount: 250_000 }))
        .events(),
    ).toHaveLength(1)
    given()
      .when(trainingClaim(record, { amount: 250_001 }))
      .rejects('amount-standard')
  })

  it('holds a claim to a lower standard the catalogue published for the programme', () => {
    const record = [
      published({ amount: 180_000 }),
      ...fullRecord().filter((f) => f.type !== 'ProgrammePublished'),
    ]
    given()
      .when(trainingClaim(record, { amount: 200_000 }))
      .rejects('amount-standard')
  })

  it('judges by the programme’s version in force on the class’s first day (动态调整), not the first one', () => {
    const adjusted = (effectiveFrom: string) =>
      fact('ProgrammeAdjusted', {
        programme,
        region: '130100',
        effectiveFrom,
        changes: { amount: 180_000 },
        reason: '调整补贴标准',
      })
    // In force from 2021-04-01, before the class's first day (2021-04-06): the lower standard holds.
    given()
      .when(trainingClaim([...fullRecord(), adjusted('2021-04-01')], { amount: 200_000 }))
      .rejects('amount-standard')
    // From after the class began: the class keeps the standard it started under.
    expect(
      given()
        .when(trainingClaim([...fullRecord(), adjusted('2021-04-07')], { amount: 200_000 }))
        .events(),
    ).toHaveLength(1)
  })

  it('raises the ceiling for an occupation the 紧缺职业（工种）目录 lists on the class’s first day', () => {
    const listedFrom = (effectiveFrom: string) =>
      fact('ShortageOccupationPublished', {
        entry: 'sho-1',
        region: '130000',
        occupationCode: '6-31-01-03',
        occupationTitle: '电工',
        effectiveFrom,
      })
    const record = (from: string) => [
      published({ amount: 250_000 }),
      ...fullRecord().filter((f) => f.type !== 'ProgrammePublished'),
      listedFrom(from),
    ]
    expect(
      given()
        .when(trainingClaim(record('2021-01-01'), { amount: 250_000 }))
        .events(),
    ).toHaveLength(1)
    given()
      .when(trainingClaim(record('2021-06-01'), { amount: 250_000 }))
      .rejects('amount-standard')
  })

  it('pays ¥1,000 / ¥1,500 / ¥2,000 for 初/中/高 certificates, 10% more on the shortage list', () => {
    const at = (level: number, amount: number, rules = sjz) => {
      const record = [
        ...skillUpgradeRecord().filter((f) => f.type !== 'CertificateIssued'),
        certificate({ level }),
      ]
      return given().when(skillUpgradeClaim(record, { amount, rules }))
    }
    expect(at(5, 100_000).events()).toHaveLength(1)
    at(5, 100_001).rejects('amount-standard')
    expect(at(3, 200_000).events()).toHaveLength(1)
    const listed = { ...sjz, shortageOccupations: { source: 'test', codes: ['6-31-01-03'] } }
    expect(at(4, 165_000, listed).events()).toHaveLength(1)
    at(4, 165_001, listed).rejects('amount-standard')
  })

  it('has no skill-upgrade standard for a 技师 certificate in 石家庄 (amount-standard)', () => {
    const record = [
      ...skillUpgradeRecord().filter((f) => f.type !== 'CertificateIssued'),
      certificate({ level: 2 }),
    ]
    const [reason] = given().when(skillUpgradeClaim(record)).rejects('amount-standard')
    expect(reason?.details).toEqual({ level: 2 })
  })
})
