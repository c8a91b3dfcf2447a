import { decodeRecordedOnce } from '@trec/contracts'
import type { Projection } from '@trec/projections'

// Cases and sampling runs as lists: the case files themselves are read from their streams (the
// source of truth); this keeps what a list needs to find them.

export const caseworkName = 'oversight_casework'

const caseTypes = new Set([
  'CaseOpened',
  'CaseEvidenceLinked',
  'CaseFindingsRecorded',
  'CaseSanctionDecided',
  'ClawbackRequested',
  'CaseClosed',
  'InspectionSampleSelected',
])

export interface CaseRow {
  case_id: string
  title: string
  region: string
  basis: string
  status: string
  conclusion: string | null
  outcome: string | null
  opened_at: string
  opened_by: string
  alerts: number
  evidence: number
  sanctions: number
  clawbacks: number
  last_event: string
}

export function caseworkProjection(): Projection {
  return {
    name: caseworkName,
    // v2: indexes in each list's order (newest first: `opened_at, case_id`; `drawn_at, run`), alone
    // and after the status filter, so a page walks an index instead of sorting the whole filter.
    version: 2,
    tables: {
      cases: `case_id text primary key, title text not null, region text not null, basis text not null,
        status text not null, conclusion text, outcome text, opened_at text not null, opened_by text not null,
        alerts int not null, evidence int not null, sanctions int not null, clawbacks int not null,
        last_event text not null, unique (opened_at, case_id), unique (status, opened_at, case_id)`,
      sampling_runs: `run text primary key, kind text not null, region text not null, from_date text not null,
        to_date text not null, size int not null, population_size int not null, population_digest text not null,
        seed text not null, selected jsonb not null, drawn_at text not null, drawn_by text not null, event text not null,
        unique (drawn_at, run)`,
    },
    async apply(recorded, { query, table }) {
      const cases = table('cases')
      for (const r of recorded) {
        if (!caseTypes.has(r.type)) continue
        const e = decodeRecordedOnce(r)
        switch (e.type) {
          case 'CaseOpened':
            await query(
              `insert into ${cases} values ($1, $2, $3, $4, 'open', null, null, $5, $6, $7, 0, 0, 0, $8)
               on conflict (case_id) do nothing`,
              [
                e.data.case,
                e.data.title,
                e.data.region,
                e.data.basis,
                e.occurredAt,
                e.actor.id,
                e.data.alerts.length,
                e.id,
              ],
            )
            break
          case 'CaseEvidenceLinked':
            await query(
              `update ${cases} set alerts = alerts + $2, evidence = evidence + $3, last_event = $4 where case_id = $1`,
              [e.data.case, e.data.alerts.length, e.data.evidence.length, e.id],
            )
            break
          case 'CaseFindingsRecorded':
            await query(
              `update ${cases} set conclusion = $2, evidence = evidence + $3, last_event = $4 where case_id = $1`,
              [e.data.case, e.data.conclusion, e.data.evidence.length, e.id],
            )
            break
          case 'CaseSanctionDecided':
            await query(`update ${cases} set sanctions = sanctions + 1, last_event = $2 where case_id = $1`, [
              e.data.case,
              e.id,
            ])
            break
          case 'ClawbackRequested':
            await query(`update ${cases} set clawbacks = clawbacks + 1, last_event = $2 where case_id = $1`, [
              e.data.case,
              e.id,
            ])
            break
          case 'CaseClosed':
            await query(
              `update ${cases} set status = 'closed', outcome = $2, last_event = $3 where case_id = $1`,
              [e.data.case, e.data.outcome, e.id],
            )
            break
          case 'InspectionSampleSelected': {
            const d = e.data
            await query(
              `insert into ${table('sampling_runs')} values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10::jsonb, $11, $12, $13)
               on conflict (run) do nothing`,
              [
                d.run,
                d.population.kind,
                d.population.region,
                d.population.from,
                d.population.to,
                d.size,
                d.populationIds.length,
                d.populationDigest,
                d.seed,
                JSON.stringify(d.selected),
                e.occurredAt,
                e.actor.id,
                e.id,
              ],
            )
            break
          }
        }
      }
    },
  }
}
