import { decodeRecordedOnce } from '@trec/contracts'
import type { Projection } from '@trec/projections'
import { upsertRows } from './sql-rows.ts'

// The alerts as investigators list and filter them: every `FraudAlertRaised` whatever raised it,
// with how it was resolved. Read from the alert streams, so it shows exactly what the record
// holds, including alerts raised by earlier rule versions.

export const alertsName = 'oversight_alerts'

export interface AlertRow {
  alert: string
  rule: string
  rule_version: number
  subject_kind: string
  subject_id: string
  evidence: string[]
  summary: string
  measures: Record<string, number> | null
  raised_at: string
  region: string
  raised_event: string
  position: string
  status: string
  case_ref: string | null
  resolution_note: string | null
  resolved_event: string | null
}

export function alertsProjection(): Projection {
  return {
    name: alertsName,
    // v2: indexes in the list's order (`position`), alone and after each equality filter the
    // queue is read by, so a page walks an index instead of sorting the whole filter.
    version: 2,
    tables: {
      alerts: `alert text primary key, rule text not null, rule_version int not null, subject_kind text not null,
        subject_id text not null, evidence jsonb not null, summary text not null, measures jsonb,
        raised_at text not null, region text not null, raised_event text not null, position int8 not null,
        status text not null, case_ref text, resolution_note text, resolved_event text,
        unique (position), unique (status, position), unique (rule, position), unique (subject_id, position)`,
    },
    async apply(recorded, { query, table }) {
      for (const r of recorded) {
        if (r.type !== 'FraudAlertRaised' && r.type !== 'FraudAlertResolved') continue
        const e = decodeRecordedOnce(r)
        if (e.type === 'FraudAlertRaised') {
          const d = e.data
          await upsertRows(
            query,
            table('alerts'),
            {
              alert: 'text',
              rule: 'text',
              rule_version: 'int',
              subject_kind: 'text',
              subject_id: 'text',
              evidence: 'jsonb',
              summary: 'text',
              measures: 'jsonb',
              raised_at: 'text',
              region: 'text',
              raised_event: 'text',
              position: 'int8',
              status: 'text',
            },
            ['alert'],
            [
              {
                alert: d.alert,
                rule: d.rule,
                rule_version: d.ruleVersion,
                subject_kind: d.subject.kind,
                subject_id: d.subject.id,
                evidence: d.evidence,
                summary: d.summary,
                measures: d.measures ?? null,
                raised_at: d.raisedAt,
                region: e.region,
                raised_event: e.id,
                position: e.position.toString(),
                status: 'open',
              },
            ],
            {
              rule: 't.rule',
              rule_version: 't.rule_version',
              subject_kind: 't.subject_kind',
              subject_id: 't.subject_id',
              evidence: 't.evidence',
              summary: 't.summary',
              measures: 't.measures',
              raised_at: 't.raised_at',
              region: 't.region',
              raised_event: 't.raised_event',
              position: 't.position',
              status: 't.status',
            },
          )
        } else if (e.type === 'FraudAlertResolved') {
          await query(
            `update ${table('alerts')} set status = $2, case_ref = $3, resolution_note = $4, resolved_event = $5
             where alert = $1`,
            [e.data.alert, e.data.resolution, e.data.case ?? null, e.data.note, e.id],
          )
        }
      }
    },
  }
}
