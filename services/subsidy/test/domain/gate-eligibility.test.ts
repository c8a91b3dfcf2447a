import { spec } from '@trec/command/testing'
import type { EventData } from '@trec/contracts'
import { describe, expect, it } from 'vitest'
import { subsidyDecider } from '../../src/domain/claim-decider.ts'
import type { SubsidyEvent } from '../../src/domain/claim-state.ts'
import type { RuleSet } from '../../src/domain/rule-set.ts'
import { fact, fullRecord, sjz, worker } from '../record.ts'
import { pastClaim, trainingClaim } from './commands.ts'

// Eligibility in the gate: the target groups a kind is for, with the evidence that shows
// membership (a department's WorkerGroupAttested, valid on the claim's day); a yearly cap per
// person and kind; and one subsidy per occupation and level, which fraud rule R1 only sees after
// the fact and the gate refuses before anything is paid.

const forGroups: RuleSet = {
  ...sjz,
  kinds: {
    ...sjz.kinds,
    training: {
      ...sjz.kinds.training!,
      groups: {
        source: 'TEST: the groups a city names for 就业技能培训 (not from the seeds; set by the region)',
        accepted: [
          { group: 'migrant_worker', evidence: '农村转移劳动力: 户籍与就业登记 (农业农村部门)' },
          { group: 'unemployed', evidence: '就业失业登记', systems: ['hebei-jiuye'] },
          { group: 'poverty_alleviated', evidence: '脱贫人口信息系统 (乡村振兴部门)' },
        ],
      },
    },
  },
}

const attested = (over: Partial<EventData<'WorkerGroupAttested'>> = {}) =>
  fact('WorkerGroupAttested', {
    worker,
    group: 'unemployed',
    source: { system: 'hebei-jiuye', ref: 'DJ-2021-0042' },
    validFrom: '2021-01-01',
    ...over,
  })

const submit = (...extra: ReturnType<typeof attested>[]) =>
  trainingClaim([...fullRecord(), ...extra], { rules: forGroups })

describe('target groups and the evidence of membership', () => {
  it('refuses a worker the record does not show in a target group, naming each group and its evidence', () => {
    const [reason] = spec(subsidyDecider).given().when(submit()).rejects('target-group')
    expect(reason?.message).toContain('migrant_worker')
    expect(reason?.details).toMatchObject({
      accepted: [
        { group: 'migrant_worker', evidence: expect.stringContaining('农村转移劳动力'), systems: null },
        { group: 'unemployed', evidence: '就业失业登记', systems: ['hebei-jiuye'] },
        { group: 'poverty_alleviated', evidence: expect.any(String), systems: null },
      ],
      attested: [],
      claimedOn: '2021-06-15',
    })
  })

  it('refuses a group outside the set, an attestation out of date, and one from a system the set does not take', () => {
    const outside = attested({ group: 'veteran' })
    const lapsed = attested({ validTo: '2021-05-31' })
    const elsewhere = attested({ source: { system: 'some-other-system', ref: 'X-1' } })
    const [reason] = spec(subsidyDecider)
      .given()
      .when(submit(outside, lapsed, elsewhere))
      .rejects('target-group')
    expect(reason?.details).toMatchObject({
      attested: [
        { group: 'veteran', system: 'hebei-jiuye', validFrom: '2021-01-01', validTo: null },
        { group: 'unemployed', system: 'hebei-jiuye', validFrom: '2021-01-01', validTo: '2021-05-31' },
        { group: 'unemployed', system: 'some-other-system', validFrom: '2021-01-01', validTo: null },
      ],
    })
  })

  it('takes a worker attested in a target group on the day, from any system when the set names none', () => {
    const shows = attested()
    const [submitted] = spec(subsidyDecider).given().when(submit(shows)).events()
    expect(submitted?.type).toBe('SubsidyClaimSubmitted')
    const migrant = attested({ group: 'migrant_worker', source: { system: 'any-system', ref: 'M-7' } })
    expect(spec(subsidyDecider).given().when(submit(migrant)).events()).toHaveLength(1)
  })

  it('asks nothing of a worker when the kind names no groups', () => {
    expect(spec(subsidyDecider).given().when(trainingClaim(fullRecord())).events()).toHaveLength(1)
  })
})

describe('a yearly cap per person and kind', () => {
  const capped: RuleSet = {
    ...sjz,
    practice: { ...sjz.practice, yearlyCap: undefined, oncePerOccupationLevel: undefined },
    kinds: { ...sjz.kinds, training: { ...sjz.kinds.training!, perPersonPerYear: 2 } },
  }
  const past = (n: number, claimedOn: string): SubsidyEvent =>
    pastClaim(n, { claimedOn, occupationCode: `4-01-02-0${n}` })

  it('refuses a third training subsidy in the year when the kind allows two (once-per-year)', () => {
    const [reason] = spec(subsidyDecider)
      .given(past(1, '2021-02-01'), past(2, '2021-04-01'))
      .when(trainingClaim(fullRecord(), { rules: capped }))
      .rejects('once-per-year')
    expect(reason?.details).toMatchObject({ year: '2021' })
    expect(reason?.message).toContain('at most 2 training')
  })

  it('counts only the same kind and the same year', () => {
    const lastYear = past(1, '2020-11-01')
    const upgrade = { ...past(2, '2021-04-01') } as Extract<SubsidyEvent, { type: 'SubsidyClaimSubmitted' }>
    upgrade.data = { ...upgrade.data, kind: 'skill_upgrade', class: undefined }
    expect(
      spec(subsidyDecider)
        .given(lastYear, upgrade, past(3, '2021-05-01'))
        .when(trainingClaim(fullRecord(), { rules: capped }))
        .events(),
    ).toHaveLength(1)
  })
})

describe('one subsidy per occupation and level, in the gate (R1 sees it only afterwards)', () => {
  it('refuses a training claim for an occupation and level already subsidised, naming the earlier claim', () => {
    const earlier = pastClaim(1, { occupationCode: '6-31-01-03', level: 4 })
    const [reason] = spec(subsidyDecider)
      .given(earlier)
      .when(trainingClaim(fullRecord()))
      .rejects('once-per-occupation-level')
    expect(reason?.details).toMatchObject({
      occupationCode: '6-31-01-03',
      level: 4,
      claims: [earlier.data.claim],
    })
  })
})
