import { spec } from '@trec/command/testing'
import { describe, expect, it } from 'vitest'
import { type CaseEventToAppend, caseDecider } from '../src/cases/case-decider.ts'
import { pseudonym } from './support/history.ts'

// The case file's rules, given/when/then.

const ann = pseudonym('ann')
const id = 'case-2024-0001'
const opened: CaseEventToAppend = {
  type: 'CaseOpened',
  data: { case: id, title: '代签到', region: '130102', basis: 'tip_off', subjects: [], alerts: [] },
}
const fraud: CaseEventToAppend = {
  type: 'CaseFindingsRecorded',
  data: { case: id, conclusion: 'fraud_confirmed', findings: '他人代签', evidence: [] },
}
const clawback = (amount: number) => ({
  kind: 'clawback' as const,
  data: { claim: 'clm-1', worker: ann, amount, reason: 'false_training' as const, evidence: [] },
  paid: 150_000,
  clawedBack: 0,
})

describe('case files', () => {
  it('open once', () => {
    spec(caseDecider)
      .given()
      .when({ kind: 'open', data: opened.data as never })
      .then(opened)
    spec(caseDecider)
      .given(opened)
      .when({ kind: 'open', data: opened.data as never })
      .rejects('case-new')
  })

  it('act on a case only when it exists (404)', () => {
    expect(() =>
      spec(caseDecider)
        .given()
        .when({ kind: 'close', data: { outcome: 'withdrawn' } })
        .events(),
    ).toThrow(expect.objectContaining({ code: 'TREC_NOT_FOUND' }))
  })

  it('rest a sanction or a clawback request on findings of fraud or irregularity', () => {
    const sanction = {
      kind: 'sanction' as const,
      data: {
        target: { kind: 'institution' as const, id: 'inst-1' },
        sanction: 'warning' as const,
        note: '约谈',
      },
    }
    spec(caseDecider).given(opened).when(sanction).rejects('findings-support-action')
    spec(caseDecider)
      .given(opened, {
        type: 'CaseFindingsRecorded',
        data: { ...fraud.data, conclusion: 'no_violation' },
      } as CaseEventToAppend)
      .when(clawback(1))
      .rejects('findings-support-action')
    spec(caseDecider)
      .given(opened, fraud)
      .when(sanction)
      .then({ type: 'CaseSanctionDecided', data: { case: id, ...sanction.data } })
  })

  it('request back no more than was paid and not yet recovered or requested', () => {
    spec(caseDecider).given(opened, fraud).when(clawback(150_001)).rejects('clawback-amount')
    spec(caseDecider)
      .given(opened, fraud, { type: 'ClawbackRequested', data: { case: id, ...clawback(100_000).data } })
      .when(clawback(50_001))
      .rejects('clawback-amount')
    spec(caseDecider)
      .given(opened, fraud, { type: 'ClawbackRequested', data: { case: id, ...clawback(100_000).data } })
      .when(clawback(50_000))
      .then({ type: 'ClawbackRequested', data: { case: id, ...clawback(50_000).data } })
  })

  it('link only what is not linked yet, and nothing once closed', () => {
    const e = '00000000-0000-7000-8000-000000000001'
    const f = '00000000-0000-7000-8000-000000000002'
    const linked: CaseEventToAppend = {
      type: 'CaseEvidenceLinked',
      data: { case: id, evidence: [e], alerts: [] },
    }
    spec(caseDecider)
      .given(opened, linked)
      .when({ kind: 'link', evidence: [e, f], alerts: [] })
      .then({ type: 'CaseEvidenceLinked', data: { case: id, evidence: [f], alerts: [] } })
    spec(caseDecider)
      .given(opened, linked)
      .when({ kind: 'link', evidence: [e], alerts: [] })
      .rejects('evidence-new')
    spec(caseDecider)
      .given(opened, { type: 'CaseClosed', data: { case: id, outcome: 'withdrawn' } })
      .when({ kind: 'link', evidence: [f], alerts: [] })
      .rejects('case-open')
  })
})
