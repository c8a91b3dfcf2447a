import { decodeRecordedOnce } from '@trec/contracts'
import type { Projection } from '@trec/projections'

// The supervision instruments as lists (a read model of its own, beside the case work): which
// institutions are private providers (the registry projection keeps no kinds), commitments and
// whether their check is done, annual reports and inspections by provider and year, 双随机
// results, the results as published (一公开), and each institution's latest 诚信等级 (what a
// grade-weighted 双随机 draw reads). The streams remain the source of truth.

export const supervisionName = 'oversight_supervision'

const types = new Set([
  'InstitutionDesignated',
  'InstitutionDelisted',
  'CommitmentRecorded',
  'CommitmentChecked',
  'AnnualReportFiled',
  'AnnualInspectionRecorded',
  'SamplingResultRecorded',
  'SamplingResultsPublished',
  'CaseSanctionDecided',
  'InstitutionGraded',
])

export interface CommitmentRow {
  commitment: string
  institution: string
  region: string
  facts: string[]
  check_due_by: string
  recorded_at: string
  result: string | null
  checked_on: string | null
  check_event: string | null
  sanctions: string[]
}

export interface ProviderRow {
  id: string
  region: string
  designated_from: string
  delisted_from: string | null
}

export interface PublishedRow {
  run: string
  target: string
  institution: string
  region: string
  outcome: string
  inspected_on: string
  summary: string
  published_at: string
  event: string
}

export function supervisionProjection(): Projection {
  return {
    name: supervisionName,
    version: 1,
    tables: {
      providers: `id text primary key, region text not null, designated_from text not null, delisted_from text`,
      commitments: `commitment text primary key, institution text not null, region text not null,
        facts jsonb not null, check_due_by text not null, recorded_at text not null, result text,
        checked_on text, check_event text, sanctions jsonb not null`,
      annual: `report text primary key, institution text not null, region text not null, year int not null,
        filed_event text, filed_at text, result text, inspected_on text, inspection_event text`,
      sampling_results: `run text not null, target text not null, institution text not null, region text not null,
        outcome text not null, inspected_on text not null, event text not null, primary key (run, target)`,
      grades: 'institution text primary key, grade text not null, event text not null',
      published: `run text not null, target text not null, institution text not null, region text not null,
        outcome text not null, inspected_on text not null, summary text not null, published_at text not null,
        event text not null, primary key (run, target)`,
    },
    async apply(recorded, { query, table }) {
      for (const r of recorded) {
        if (!types.has(r.type)) continue
        const e = decodeRecordedOnce(r)
        switch (e.type) {
          case 'InstitutionDesignated':
            if (e.data.kinds.includes('private_provider'))
              await query(
                `insert into ${table('providers')} values ($1, $2, $3, null)
                 on conflict (id) do update set region = $2, designated_from = $3`,
                [e.data.institution, e.data.region, e.data.effectiveFrom],
              )
            break
          case 'InstitutionDelisted':
            await query(`update ${table('providers')} set delisted_from = $2 where id = $1`, [
              e.data.institution,
              e.data.effectiveFrom,
            ])
            break
          case 'CommitmentRecorded':
            await query(
              `insert into ${table('commitments')} values ($1, $2, $3, $4::jsonb, $5, $6, null, null, null, '[]'::jsonb)
               on conflict (commitment) do nothing`,
              [
                e.data.commitment,
                e.data.institution,
                e.data.region,
                JSON.stringify(e.data.facts),
                e.data.checkDueBy,
                e.occurredAt,
              ],
            )
            break
          case 'CommitmentChecked':
            await query(
              `update ${table('commitments')} set result = $2, checked_on = $3, check_event = $4 where commitment = $1`,
              [e.data.commitment, e.data.result, e.data.checkedOn, e.id],
            )
            break
          case 'CaseSanctionDecided':
            if (e.data.grounds?.kind === 'commitment_breach')
              await query(
                `update ${table('commitments')} set sanctions = sanctions || $2::jsonb where commitment = $1`,
                [e.data.grounds.ref, JSON.stringify([e.id])],
              )
            break
          case 'InstitutionGraded':
            await query(
              `insert into ${table('grades')} values ($1, $2, $3)
               on conflict (institution) do update set grade = $2, event = $3`,
              [e.data.institution, e.data.grade, e.id],
            )
            break
          case 'AnnualReportFiled':
            await query(
              `insert into ${table('annual')} values ($1, $2, $3, $4, $5, $6, null, null, null)
               on conflict (report) do update set filed_event = $5, filed_at = $6`,
              [e.data.report, e.data.institution, e.data.region, e.data.year, e.id, e.occurredAt],
            )
            break
          case 'AnnualInspectionRecorded':
            await query(
              `insert into ${table('annual')} values ($1, $2, $3, $4, null, null, $5, $6, $7)
               on conflict (report) do update set result = $5, inspected_on = $6, inspection_event = $7`,
              [
                e.data.report,
                e.data.institution,
                e.region,
                e.data.year,
                e.data.result,
                e.data.inspectedOn,
                e.id,
              ],
            )
            break
          case 'SamplingResultRecorded':
            await query(
              `insert into ${table('sampling_results')} values ($1, $2, $3, $4, $5, $6, $7)
               on conflict (run, target) do nothing`,
              [
                e.data.run,
                e.data.target,
                e.data.institution,
                e.region,
                e.data.outcome,
                e.data.inspectedOn,
                e.id,
              ],
            )
            break
          case 'SamplingResultsPublished':
            for (const x of e.data.results)
              await query(
                `insert into ${table('published')} values ($1, $2, $3, $4, $5, $6, $7, $8, $9)
                 on conflict (run, target) do nothing`,
                [
                  e.data.run,
                  x.target,
                  x.institution,
                  e.data.region,
                  x.outcome,
                  x.inspectedOn,
                  x.summary,
                  e.occurredAt,
                  e.id,
                ],
              )
            break
        }
      }
    },
  }
}
