import { decodeRecorded } from '@trec/contracts'
import type { Projection } from '@trec/projections'

// Claims as a list (GET /v1/claims): what a list filters and orders by — region, institution,
// class, status — and no more. The claim itself (reviews, decision, payment) is read from its
// worker's stream, the source of truth. Order: the feed position of the submission, which never
// changes, so a page cursor keeps its place while claims are added. Workers by pseudonym only.

export const claimsListName = 'subsidy_claims'

const claimTypes = new Set([
  'SubsidyClaimSubmitted',
  'SubsidyClaimDecided',
  'SubsidyPaid',
  'SubsidyClawedBack',
  'ClaimSanctionReviewed',
  'InstitutionSuspended',
  'InstitutionDelisted',
])

export interface ClaimListRow {
  claim: string
  worker: string
  region: string
  institution: string | null
  class: string | null
  kind: string
  payee_kind: string
  status: string
  amount: string | number
  approved_amount: string | number | null
  paid_amount: string | number
  clawed_back: string | number
  claimed_on: string
  occupation: string | null
  level: number | null
  position: string | number
  /** The outcome of the last sanction review (continue or reject), or null. */
  sanction_review: string | null
}

/** A suspension or delisting of an institution, as the review list (GET /v1/sanction-reviews) joins it. */
export interface SanctionRow {
  institution: string
  kind: string
  from_day: string
  to_day: string | null
  case_id: string | null
}

export function claimsListProjection(): Projection {
  return {
    name: claimsListName,
    version: 2,
    tables: {
      // The unique constraints are there for their indexes: the list's order inside a region, an
      // institution and a status.
      claims: `claim text primary key, worker text not null, region text not null, institution text,
        class text, kind text not null, payee_kind text not null, status text not null, amount int8 not null,
        approved_amount int8, paid_amount int8 not null, clawed_back int8 not null, claimed_on text not null,
        occupation text, level int, position int8 not null unique,
        sanction_review text,
        unique (region, position), unique (institution, position), unique (status, position)`,
      // Suspensions and delistings of institutions (the training service's record), so the review
      // list finds the open claims made before one took effect.
      sanctions: `institution text not null, kind text not null, from_day text not null, to_day text,
        case_id text, primary key (institution, kind, from_day)`,
    },
    async apply(recorded, { query, table }) {
      const claims = table('claims')
      for (const r of recorded) {
        if (!claimTypes.has(r.type)) continue
        const e = decodeRecorded(r)
        switch (e.type) {
          case 'SubsidyClaimSubmitted': {
            const d = e.data
            await query(
              `insert into ${claims} values ($1, $2, $3, $4, $5, $6, $7, 'submitted', $8, null, 0, 0, $9, $10, $11, $12, null)
               on conflict (claim) do nothing`,
              [
                d.claim,
                d.worker,
                d.region,
                d.payee.kind === 'worker' ? null : d.payee.id,
                d.class ?? null,
                d.kind,
                d.payee.kind,
                d.amount,
                d.claimedOn,
                d.occupationCode ?? null,
                d.level ?? null,
                e.position.toString(),
              ],
            )
            break
          }
          case 'SubsidyClaimDecided':
            await query(`update ${claims} set status = $2, approved_amount = $3 where claim = $1`, [
              e.data.claim,
              e.data.outcome,
              e.data.outcome === 'approved' ? e.data.approvedAmount : null,
            ])
            break
          case 'SubsidyPaid':
            await query(`update ${claims} set status = 'paid', paid_amount = $2 where claim = $1`, [
              e.data.claim,
              e.data.amount,
            ])
            break
          case 'ClaimSanctionReviewed':
            await query(
              `update ${claims} set sanction_review = $2,
                 status = case when $2 = 'reject' then 'rejected' else status end where claim = $1`,
              [e.data.claim, e.data.outcome],
            )
            break
          case 'InstitutionSuspended':
            await query(
              `insert into ${table('sanctions')} values ($1, 'suspension', $2, $3, $4) on conflict do nothing`,
              [e.data.institution, e.data.from, e.data.to, e.data.sanction.case],
            )
            break
          case 'InstitutionDelisted':
            await query(
              `insert into ${table('sanctions')} values ($1, 'delisting', $2, null, $3) on conflict do nothing`,
              [e.data.institution, e.data.effectiveFrom, e.data.sanction?.case ?? null],
            )
            break
          case 'SubsidyClawedBack':
            // Wholly recovered: clawed back, as the claim's own state has it (claim-state.ts).
            await query(
              `update ${claims} set clawed_back = clawed_back + $2,
                 status = case when clawed_back + $2 >= paid_amount and paid_amount > 0 then 'clawed_back' else status end
               where claim = $1`,
              [e.data.claim, e.data.amount],
            )
            break
        }
      }
    },
  }
}
