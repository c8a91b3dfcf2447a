import { spec } from '@trec/command/testing'
import { describe, expect, it } from 'vitest'
import { institutionDecider, standingOn } from '../../src/domain/institution.ts'
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
