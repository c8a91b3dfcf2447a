import { isTrecError } from '@trec/core'
import { describe, expect, it } from 'vitest'
import {
  type Draft,
  effectiveVersions,
  type RulebookCommand,
  type RulebookState,
  rulebookDecider,
} from '../../src/domain/rulebook.ts'
import { sjz } from '../record.ts'

// The rulebook decider: versions and their real periods, overlaps named, nothing retroactive.

const { version: _v, ...base } = sjz
const draft = (patch: Partial<Draft>): Draft => ({
  ...base,
  id: 'sjz-2026',
  region: '1301',
  validFrom: '2026-01-01',
  validTo: '2027-12-31',
  ...patch,
})

function run(commands: RulebookCommand[]): RulebookState {
  let state = rulebookDecider.initialState()
  for (const c of commands)
    for (const e of rulebookDecider.decide(c, state)) state = rulebookDecider.evolve(state, e)
  return state
}

function refusal(state: RulebookState, command: RulebookCommand) {
  try {
    rulebookDecider.decide(command, state)
  } catch (error) {
    if (isTrecError(error)) return { code: error.code, details: error.details }
    throw error
  }
  throw new Error('the command was accepted')
}

const publish = (d: Draft): RulebookCommand => ({ kind: 'publish', province: '13', draft: d })
const today = '2026-12-06'

describe('the rulebook', () => {
  it('ends a version the day before the next begins, and every version the day before a withdrawal', () => {
    const state = run([
      publish(draft({})),
      {
        kind: 'amend',
        province: '13',
        id: 'sjz-2026',
        draft: draft({ validFrom: '2027-01-01' }),
        reason: 'r',
        today,
      },
      { kind: 'withdraw', province: '13', id: 'sjz-2026', effectiveFrom: '2027-07-01', reason: 'r', today },
    ])
    expect(effectiveVersions(state).map((v) => [v.version, v.validFrom, v.validTo])).toEqual([
      [1, '2026-01-01', '2026-12-31'],
      [2, '2027-01-01', '2027-06-30'],
    ])
  })

  it('refuses a set that governs the same region and kind on a shared day, naming the other version', () => {
    const state = run([publish(draft({}))])
    const clash = refusal(
      state,
      publish(draft({ id: 'sjz-other', validFrom: '2027-12-31', validTo: undefined })),
    )
    expect(clash).toMatchObject({
      code: 'TREC_RULE_SET_CONFLICT',
      details: {
        reason: 'overlap',
        other: { id: 'sjz-2026', version: 1 },
        kinds: ['training', 'skill_upgrade', 'apprenticeship'],
      },
    })
    expect(refusal(state, publish(draft({})))).toMatchObject({ details: { reason: 'exists' } })
    // Another region, the next day on, or other kinds: no clash.
    run([publish(draft({})), publish(draft({ id: 'county', region: '130102' }))])
    run([publish(draft({})), publish(draft({ id: 'later', validFrom: '2028-01-01', validTo: undefined }))])
    run([
      publish(draft({})),
      publish(draft({ id: 'living', kinds: { living_allowance: sjz.kinds.training! } })),
    ])
  })

  it('takes a withdrawn set out of the overlap check from its withdrawal on', () => {
    const state = run([
      publish(draft({})),
      { kind: 'withdraw', province: '13', id: 'sjz-2026', effectiveFrom: '2027-01-01', reason: 'r', today },
    ])
    run([
      publish(draft({})),
      { kind: 'withdraw', province: '13', id: 'sjz-2026', effectiveFrom: '2027-01-01', reason: 'r', today },
      publish(draft({ id: 'sjz-2027', validFrom: '2027-01-01' })),
    ])
    expect(refusal(state, publish(draft({ id: 'sjz-x', validFrom: '2026-12-31' })))).toMatchObject({
      details: { other: { id: 'sjz-2026' } },
    })
  })

  it('changes nothing before today: no retroactive amendment or withdrawal, none after a withdrawal', () => {
    const state = run([publish(draft({}))])
    const amend = (validFrom: string): RulebookCommand => ({
      kind: 'amend',
      province: '13',
      id: 'sjz-2026',
      draft: draft({ validFrom }),
      reason: 'r',
      today,
    })
    expect(refusal(state, amend('2026-12-05'))).toMatchObject({
      code: 'TREC_RULE_FAILED',
      details: { reasons: [{ rule: 'amendment-effective-date' }] },
    })
    const withdrawn = run([
      publish(draft({})),
      { kind: 'withdraw', province: '13', id: 'sjz-2026', effectiveFrom: today, reason: 'r', today },
    ])
    expect(refusal(withdrawn, amend('2027-01-01'))).toMatchObject({
      details: { reasons: [{ rule: 'rule-set-withdrawn' }] },
    })
    expect(
      refusal(state, {
        kind: 'withdraw',
        province: '13',
        id: 'sjz-2026',
        effectiveFrom: '2026-01-02',
        reason: 'r',
        today,
      }),
    ).toMatchObject({ details: { reasons: [{ rule: 'withdrawal-effective-date' }] } })
    expect(
      refusal(state, {
        kind: 'withdraw',
        province: '13',
        id: 'nope',
        effectiveFrom: today,
        reason: 'r',
        today,
      }),
    ).toMatchObject({ code: 'TREC_NOT_FOUND' })
    expect(refusal(state, publish(draft({ id: 'hlj', region: '23' })))).toMatchObject({
      details: { reasons: [{ rule: 'rule-set-region' }] },
    })
  })
})
