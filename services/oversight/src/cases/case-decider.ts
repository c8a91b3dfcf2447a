import { type Decider, reject } from '@trec/command'
import type { EventData, EventDataToAppend } from '@trec/contracts'
import { TrecError } from '@trec/core'

// A case file (立案 → evidence → findings → sanction, clawback request → closing; docs/domain.md §4
// "Penalties"), one stream `oversight-case-{id}`. Decisions are pure: the command carries what
// the handler read elsewhere (how much of a claim is still paid) and the decider checks the
// case's own rules.

type CaseEventType =
  | 'CaseOpened'
  | 'CaseEvidenceLinked'
  | 'CaseFindingsRecorded'
  | 'CaseSanctionDecided'
  | 'ClawbackRequested'
  | 'CaseClosed'

export type CaseEvent = { [T in CaseEventType]: { type: T; data: EventData<T> } }[CaseEventType]
export type CaseEventToAppend = {
  [T in CaseEventType]: { type: T; data: EventDataToAppend<T> }
}[CaseEventType]

export interface CaseState {
  opened?: EventData<'CaseOpened'>
  closed?: EventData<'CaseClosed'>
  conclusion?: EventData<'CaseFindingsRecorded'>['conclusion']
  alerts: string[]
  evidence: string[]
  /** Amounts already requested back, by claim. */
  requested: Record<string, number>
}

export type CaseCommand =
  | { kind: 'open'; data: EventDataToAppend<'CaseOpened'> }
  | { kind: 'link'; evidence: string[]; alerts: string[]; note?: string }
  | { kind: 'findings'; data: Omit<EventDataToAppend<'CaseFindingsRecorded'>, 'case'> }
  | { kind: 'sanction'; data: Omit<EventDataToAppend<'CaseSanctionDecided'>, 'case'> }
  | {
      kind: 'clawback'
      data: Omit<EventDataToAppend<'ClawbackRequested'>, 'case'>
      /** What the subsidy record shows for the claim: paid and already recovered, in fen. */
      paid: number
      clawedBack: number
    }
  | { kind: 'close'; data: Omit<EventDataToAppend<'CaseClosed'>, 'case'> }

/** Conclusions on which a sanction or a clawback request may rest. */
const actionable = new Set(['fraud_confirmed', 'irregularity'])

function caseOf(state: CaseState): string {
  if (!state.opened) throw new TrecError('TREC_NOT_FOUND', 'no such case', { details: { reason: 'case' } })
  if (state.closed)
    reject({ rule: 'case-open', message: 'the case is closed', details: { outcome: state.closed.outcome } })
  return state.opened.case
}

export const caseDecider: Decider<CaseState, CaseCommand, CaseEventToAppend> = {
  initialState: () => ({ alerts: [], evidence: [], requested: {} }),

  evolve(state, event) {
    const e = event as CaseEvent
    switch (e.type) {
      case 'CaseOpened':
        return { ...state, opened: e.data, alerts: [...e.data.alerts] }
      case 'CaseEvidenceLinked':
        return {
          ...state,
          alerts: [...state.alerts, ...e.data.alerts],
          evidence: [...state.evidence, ...e.data.evidence],
        }
      case 'CaseFindingsRecorded':
        return {
          ...state,
          conclusion: e.data.conclusion,
          evidence: [...new Set([...state.evidence, ...e.data.evidence])],
        }
      case 'ClawbackRequested':
        return {
          ...state,
          requested: {
            ...state.requested,
            [e.data.claim]: (state.requested[e.data.claim] ?? 0) + e.data.amount,
          },
        }
      case 'CaseClosed':
        return { ...state, closed: e.data }
      default:
        return state
    }
  },

  decide(command, state) {
    if (command.kind === 'open') {
      if (state.opened) reject({ rule: 'case-new', message: 'a case with this id is already open' })
      return [{ type: 'CaseOpened', data: command.data }]
    }
    const id = caseOf(state)
    switch (command.kind) {
      case 'link': {
        const evidence = command.evidence.filter((e) => !state.evidence.includes(e))
        const alerts = command.alerts.filter((a) => !state.alerts.includes(a))
        if (evidence.length + alerts.length === 0)
          reject({
            rule: 'evidence-new',
            message: 'every event and alert given is already linked to the case',
          })
        return [
          {
            type: 'CaseEvidenceLinked',
            data: { case: id, evidence, alerts, ...(command.note ? { note: command.note } : {}) },
          },
        ]
      }
      case 'findings':
        return [{ type: 'CaseFindingsRecorded', data: { case: id, ...command.data } }]
      case 'sanction':
        if (!state.conclusion || !actionable.has(state.conclusion))
          reject({
            rule: 'findings-support-action',
            message: 'a sanction rests on findings of fraud or irregularity',
            details: { conclusion: state.conclusion ?? null },
          })
        return [{ type: 'CaseSanctionDecided', data: { case: id, ...command.data } }]
      case 'clawback': {
        if (!state.conclusion || !actionable.has(state.conclusion))
          reject({
            rule: 'findings-support-action',
            message: 'a clawback request rests on findings of fraud or irregularity',
            details: { conclusion: state.conclusion ?? null },
          })
        const open = command.paid - command.clawedBack - (state.requested[command.data.claim] ?? 0)
        if (command.data.amount > open)
          reject({
            rule: 'clawback-amount',
            message: `at most ${open} fen of claim ${command.data.claim} is paid and not yet recovered or requested`,
            details: {
              paid: command.paid,
              clawedBack: command.clawedBack,
              requested: state.requested[command.data.claim] ?? 0,
            },
          })
        return [{ type: 'ClawbackRequested', data: { case: id, ...command.data } }]
      }
      case 'close':
        return [{ type: 'CaseClosed', data: { case: id, ...command.data } }]
    }
  },
}
