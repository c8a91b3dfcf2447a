import { type Envelope, type EventForStore, toEventToAppend } from '@trec/contracts'
import { sha256Hex, uuidFromText } from '../ids.ts'
import type { AlertDraft, AlertSubject } from './fraud-rule.ts'

// From a rule's finding to the event that records it. Everything in the event is a function of
// the rule, its version and the events it was computed from (no clock): recomputing it gives
// the same bytes, which the store then recognises as a retry of what it already holds.

export const oversightSource = 'trec.oversight'

/** Most evidence ids an alert carries (the contract's limit); the first ones and the cause are kept. */
export const maxEvidence = 1000

export interface RaisedAlert {
  alert: string
  rule: string
  ruleVersion: number
  subject: AlertSubject
  evidence: string[]
  summary: string
  measures?: Record<string, number>
  raisedAt: string
  /** The event that completed the pattern. */
  cause: string
  region: string
  correlationId?: string
}

export function alertIdOf(rule: string, version: number, subject: AlertSubject, occurrence: string): string {
  const digest = sha256Hex(`${rule}\n${version}\n${subject.kind}\n${subject.id}\n${occurrence}`)
  return `alert-${rule}-${digest.slice(0, 32)}`
}

export function alertEventIdOf(alert: string): string {
  return uuidFromText(`FraudAlertRaised\n${alert}`)
}

export function alertStreamOf(alert: string): string {
  return `oversight-${alert}`
}

function evidenceOf(draft: AlertDraft, cause: string): string[] {
  const unique = [...new Set(draft.evidence.filter((id) => id !== cause))]
  return [...unique.slice(0, maxEvidence - 1), cause]
}

/** Rounds measures so that the alert's bytes do not depend on float printing quirks. */
function roundMeasures(measures: Record<string, number>): Record<string, number> {
  const out: Record<string, number> = {}
  for (const key of Object.keys(measures).sort()) {
    const v = measures[key]!
    if (Number.isFinite(v)) out[key] = Math.round(v * 10_000) / 10_000
  }
  return out
}

export function raiseAlert(rule: string, version: number, draft: AlertDraft, cause: Envelope): RaisedAlert {
  return {
    alert: alertIdOf(rule, version, draft.subject, draft.occurrence),
    rule,
    ruleVersion: version,
    subject: draft.subject,
    evidence: evidenceOf(draft, cause.id),
    summary: draft.summary.slice(0, 2000),
    ...(draft.measures ? { measures: roundMeasures(draft.measures) } : {}),
    raisedAt: cause.occurredAt,
    cause: cause.id,
    region: cause.region,
    ...(cause.correlationId ? { correlationId: cause.correlationId } : {}),
  }
}

/** The `FraudAlertRaised` to append to `oversight-{alert}`, with its derived event id. */
export function alertEventFor(a: RaisedAlert): EventForStore {
  return toEventToAppend(
    {
      type: 'FraudAlertRaised',
      data: {
        alert: a.alert,
        rule: a.rule,
        ruleVersion: a.ruleVersion,
        subject: a.subject,
        evidence: a.evidence,
        summary: a.summary,
        ...(a.measures ? { measures: a.measures } : {}),
        raisedAt: a.raisedAt,
      },
    },
    {
      id: alertEventIdOf(a.alert),
      occurredAt: a.raisedAt,
      actor: { kind: 'system', id: `oversight-${a.rule.toLowerCase()}` },
      source: oversightSource,
      region: a.region,
      causationId: a.cause,
      ...(a.correlationId ? { correlationId: a.correlationId } : {}),
    },
  )
}
