import { check, type Decider } from '@trec/command'
import type { EventData } from '@trec/contracts'
import { violation } from './rules.ts'

// An institution's record (`institution-{id}`): designation as a 定点机构 (D2 「定点机构」,
// 「目录清单管理」) and delisting (清退, D1 「对违反规定的机构立即清退」). Both take effect on a
// calendar date. The seeds say nothing of readmission after 清退, so a delisted institution stays
// delisted: a second designation is refused.
//
// A suspension (暂停补贴性培训资格, a sanction kind of docs/domain.md §4) runs from one day to
// another, both included, and carries out a `CaseSanctionDecided` of an oversight case. During it
// the institution applies for, opens and enrols into no class, and the subsidy gate pays it no
// claim; on the day after it ends, all of that is open again without another command. Periods
// and their length are not in seeds; set by the region (each decision names its own days).

export type InstitutionEvent =
  | { type: 'InstitutionDesignated'; data: EventData<'InstitutionDesignated'> }
  | { type: 'InstitutionDelisted'; data: EventData<'InstitutionDelisted'> }
  | { type: 'InstitutionSuspended'; data: EventData<'InstitutionSuspended'> }

export interface InstitutionState {
  designation?: EventData<'InstitutionDesignated'>
  delisting?: EventData<'InstitutionDelisted'>
  suspensions?: EventData<'InstitutionSuspended'>[]
}

export type InstitutionCommand =
  | { kind: 'designate'; data: EventData<'InstitutionDesignated'> }
  | { kind: 'delist'; data: EventData<'InstitutionDelisted'> }
  | { kind: 'suspend'; data: EventData<'InstitutionSuspended'> }

/** The suspension in force on a date, if any. */
export function suspensionOn(state: InstitutionState, date: string) {
  return state.suspensions?.find((s) => s.from <= date && date <= s.to)
}

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
        sanction: 'delisting',
        delistedFrom: state.delisting!.effectiveFrom,
        from: state.delisting!.effectiveFrom,
        ...(state.delisting!.sanction
          ? { case: state.delisting!.sanction.case, decision: state.delisting!.sanction.decision }
          : {}),
      },
    )
  const suspension = standing === 'designated' ? suspensionOn(state, date) : undefined
  if (suspension)
    return violation(
      'institution-suspended',
      `the institution is suspended from ${suspension.from} to ${suspension.to} (case ${suspension.sanction.case})`,
      {
        sanction: 'suspension',
        case: suspension.sanction.case,
        decision: suspension.sanction.decision,
        from: suspension.from,
        to: suspension.to,
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
      case 'InstitutionSuspended':
        return { ...state, suspensions: [...(state.suspensions ?? []), event.data] }
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
    if (command.kind === 'suspend') {
      const { from, to } = command.data
      const overlap = state.suspensions?.find((s) => s.from <= to && from <= s.to)
      check(
        !state.designation && violation('institution-not-designated', 'the institution was never designated'),
        state.delisting !== undefined &&
          violation('institution-delisted', 'the institution is already delisted', {
            delistedFrom: state.delisting.effectiveFrom,
          }),
        overlap !== undefined &&
          violation('suspension-overlap', 'the institution is already suspended for part of that period', {
            from: overlap.from,
            to: overlap.to,
            case: overlap.sanction.case,
          }),
      )
      return [{ type: 'InstitutionSuspended', data: command.data }]
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
