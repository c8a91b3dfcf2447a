import { spec } from '@trec/command/testing'
import { describe, expect, it } from 'vitest'
import { institutionDecider, notInForce, standingOn } from '../../src/domain/institution.ts'
import { designation } from './fixtures.ts'

const designate = { kind: 'designate' as const, data: designation }
const delisting = {
  institution: designation.institution,
  reason: 'false_training' as const,
  effectiveFrom: '2024-07-15',
}
const designated = { type: 'InstitutionDesignated' as const, data: designation }
const delisted = { type: 'InstitutionDelisted' as const, data: delisting }

describe('designation (定点, D2)', () => {
  it('designates an institution not yet on the list', () => {
    spec(institutionDecider).given().when(designate).then(designated)
  })

  it('refuses to designate an institution twice', () => {
    spec(institutionDecider).given(designated).when(designate).rejects('institution-already-designated')
  })

  it('does not readmit a delisted institution by a new designation', () => {
    spec(institutionDecider)
      .given(designated, delisted)
      .when(designate)
      .rejects('institution-already-designated')
  })
})

describe('delisting (清退, D1)', () => {
  it('delists a designated institution', () => {
    spec(institutionDecider).given(designated).when({ kind: 'delist', data: delisting }).then(delisted)
  })

  it('refuses to delist an institution that was never designated', () => {
    spec(institutionDecider)
      .given()
      .when({ kind: 'delist', data: delisting })
      .rejects('institution-not-designated')
  })

  it('refuses to delist twice', () => {
    spec(institutionDecider)
      .given(designated, delisted)
      .when({ kind: 'delist', data: delisting })
      .rejects('institution-delisted')
  })

  it('refuses a delisting that would take effect before the designation', () => {
    spec(institutionDecider)
      .given(designated)
      .when({ kind: 'delist', data: { ...delisting, effectiveFrom: '2024-02-01' } })
      .rejects('delisting-before-designation')
  })
})

describe('standing on a date', () => {
  const state = [designated, delisted].reduce(institutionDecider.evolve, institutionDecider.initialState())

  it('is pending before the designation takes effect, designated from it, delisted from the delisting on', () => {
    expect(standingOn(institutionDecider.initialState(), '2024-05-01')).toBe('unknown')
    expect(standingOn(state, '2024-02-29')).toBe('pending')
    expect(standingOn(state, '2024-03-01')).toBe('designated')
    expect(standingOn(state, '2024-07-14')).toBe('designated')
    expect(standingOn(state, '2024-07-15')).toBe('delisted')
  })
})

describe('suspension (暂停补贴性培训资格)', () => {
  const suspension = {
    institution: designation.institution,
    from: '2024-05-01',
    to: '2024-05-31',
    sanction: { case: 'case-130102-0001', decision: '0190a0b1-0000-7000-8000-000000000001' },
  }
  const suspended = { type: 'InstitutionSuspended' as const, data: suspension }
  const suspend = (over: Partial<typeof suspension> = {}) => ({
    kind: 'suspend' as const,
    data: { ...suspension, ...over },
  })

  it('suspends a designated institution for the period its sanction names', () => {
    spec(institutionDecider).given(designated).when(suspend()).then(suspended)
  })

  it('refuses an overlapping suspension, and one of a delisted institution', () => {
    spec(institutionDecider)
      .given(designated, suspended)
      .when(suspend({ from: '2024-05-31', to: '2024-06-30' }))
      .rejects('suspension-overlap')
    spec(institutionDecider).given(designated, delisted).when(suspend()).rejects('institution-delisted')
  })

  it('refuses acting during the suspension, naming the sanction, and not after it', () => {
    const state = [designated, suspended].reduce(institutionDecider.evolve, institutionDecider.initialState())
    expect(notInForce(state, '2024-04-30')).toBeUndefined()
    expect(notInForce(state, '2024-05-01')).toMatchObject({
      rule: 'institution-suspended',
      details: { sanction: 'suspension', case: 'case-130102-0001', from: '2024-05-01', to: '2024-05-31' },
    })
    expect(notInForce(state, '2024-05-31')?.rule).toBe('institution-suspended')
    expect(notInForce(state, '2024-06-01')).toBeUndefined()
  })
})
