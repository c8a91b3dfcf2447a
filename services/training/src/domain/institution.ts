import { check, type Decider } from '@trec/command'
import type { EventData } from '@trec/contracts'
import { violation } from './rules.ts'

// An institution's record (`institution-{id}`): designation as a 定点机构 (D2 「定点机构」,
// 「目录清单管理」) and delisting (清退, D1 「对违反规定的机构立即清退」). Both take effect on a
// calendar date. The seeds say nothing of readmission after 清退, so a delisted institution stays
// delisted: a second designation is refused.

export type InstitutionEvent =
  | { type: 'InstitutionDesignated'; data: EventData<'InstitutionDesignated'> }
  | { type: 'InstitutionDelisted'; data: EventData<'InstitutionDelisted'> }

export interface InstitutionState {
  designation?: EventData<'InstitutionDesignated'>
  delisting?: EventData<'InstitutionDelisted'>
}

export type InstitutionCommand =
  | { kind: 'designate'; data: EventData<'InstitutionDesignated'> }
  | { kind: 'delist'; data: EventData<'InstitutionDelisted'> }

/** Where an institution stands on a date: never designated, designated later, in force, or delisted. */
export type Standing = 'unknown' | 'pending' | 'designated' | 'delisted'

export function standingOn(state: InstitutionState, date: string): Standing {
  if (!state.designation) return 'unknown'
  if (state.delisting && state.delisting.effectiveFrom <= date) return 'delisted'
  return state.designation.effectiveFrom <= date ? 'designated' : 'pending'
}

/** The violation, if any, of acting for an institution on a date (applying, opening, enrolling). */
export function notInForce(state: InstitutionState, date: string) {
  const standing = standingOn(state, date)
  if (standing === 'delisted')
    return violation(
      'institution-delisted',
      `the institution was delisted from ${state.delisting!.effectiveFrom}`,
      {
        delistedFrom: state.delisting!.effectiveFrom,
      },
    )
  if (standing !== 'designated')
    return violation('institution-not-designated', `the institution is not designated on ${date}`, { date })
  return undefined
}

export const institutionDecider: Decider<InstitutionState, InstitutionCommand, InstitutionEvent> = {
  initialState: () => ({}),
  evolve(state, event) {
    switch (event.type) {
      case 'InstitutionDesignated':
        return { designation: event.data }
      case 'InstitutionDelisted':
        return { ...state, delisting: event.data }
    }
  },
  decide(command, state) {
    if (command.kind === 'designate') {
      check(
        state.designation !== undefined &&
          violation('institution-already-designated', 'the institution has already been designated', {
            delisted: state.delisting !== undefined,
          }),
      )
      return [{ type: 'InstitutionDesignated', data: command.data }]
    }
    check(
      !state.designation && violation('institution-not-designated', 'the institution was never designated'),
      state.delisting !== undefined &&
        violation('institution-delisted', 'the institution is already delisted', {
          delistedFrom: state.delisting.effectiveFrom,
        }),
      state.designation !== undefined &&
        command.data.effectiveFrom < state.designation.effectiveFrom &&
        violation('delisting-before-designation', 'the delisting would take effect before the designation', {
          designatedFrom: state.designation.effectiveFrom,
        }),
    )
    return [{ type: 'InstitutionDelisted', data: command.data }]
  },
}
