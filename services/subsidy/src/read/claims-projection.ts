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
  'ClaimPublished',
  'PublicationObjectionFiled',
  'PublicationObjectionRuled',
  'InstitutionSuspended',
  'InstitutionDelisted',
  'RecoveryOpened',
  'RepaymentRecorded',
  'RecoveryWriteOffRecorded',
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
  /** 公示: the first and last day the claim is published, or null. */
  published_from: string | null
  published_to: string | null
  /** The last objection to the published claim: open, upheld or dismissed; null when none. */
  objection: string | null
}

/** A suspension or delisting of an institution, as the review list (GET /v1/sanction-reviews) joins it. */
export interface SanctionRow {
  institution: string
  kind: string
  from_day: string
  to_day: string | null
  case_id: string | null
}

/** A recovery account as GET /v1/recoveries lists it (amounts in fen). */
export interface RecoveryListRow {
  recovery: string
  region: string
  source_kind: string
  claim: string | null
  class: string | null
  debtor_kind: string
  debtor: string
  amount: string | number
  recovered: string | number
  written_off: string | number
  due_on: string
  status: string
  position: string | number
}

export function claimsListProjection(): Projection {
  return {
    name: claimsListName,
    // Version 2 added the sanctions and the review column, version 3 the recovery accounts, version 4
    // the publication (公示) columns (issue 26).
    version: 4,
    tables: {
      // The unique constraints are there for their indexes: the list's order inside a region, an
      // institution and a status.
      claims: `claim text primary key, worker text not null, region text not null, institution text,
        class text, kind text not null, payee_kind text not null, status text not null, amount int8 not null,
        approved_amount int8, paid_amount int8 not null, clawed_back int8 not null, claimed_on text not null,
        occupation text, level int, position int8 not null unique,
        sanction_review text, published_from text, published_to text, objection text,
        unique (region, position), unique (institution, position), unique (status, position)`,
      // Suspensions and delistings of institutions (the training service's record), so the review
      // list finds the open claims made before one took effect.
      sanctions: `institution text not null, kind text not null, from_day text not null, to_day text,
        case_id text, primary key (institution, kind, from_day)`,
      recoveries: `recovery text primary key, region text not null, source_kind text not null, claim text,
        class text, debtor_kind text not null, debtor text not null, amount int8 not null, recovered int8 not null,
        written_off int8 not null, due_on text not null, status text not null, position int8 not null unique,
        unique (region, position), unique (status, position)`,
    },
    async apply(recorded, { query, table }) {
      const claims = table('claims')
      const recoveries = table('recoveries')
      for (const r of recorded) {
        if (!claimTypes.has(r.type)) continue
        const e = decodeRecorded(r)
        switch (e.type) {
          case 'SubsidyClaimSubmitted': {
            const d = e.data
            await query(
              `insert into ${claims} values ($1, $2, $3, $4, $5, $6, $7, 'submitted', $8, null, 0, 0, $9, $10, $11, $12, null, null, null, null)
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
          case 'ClaimPublished':
            await query(`update ${claims} set published_from = $2, published_to = $3 where claim = $1`, [
              e.data.claim,
              e.data.from,
              e.data.to,
            ])
            break
          case 'PublicationObjectionFiled':
            await query(`update ${claims} set objection = 'open' where claim = $1`, [e.data.claim])
            break
          case 'PublicationObjectionRuled':
            await query(
              `update ${claims} set objection = $2,
                 status = case when $2 = 'upheld' then 'rejected' else status end where claim = $1`,
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
          case 'RecoveryOpened': {
            const d = e.data
            await query(
              `insert into ${recoveries} values ($1, $2, $3, $4, $5, $6, $7, $8, 0, 0, $9, 'due', $10)
               on conflict (recovery) do nothing`,
              [
                d.recovery,
                d.region,
                d.source.kind,
                d.source.kind === 'clawback' ? d.source.claim : null,
                d.source.kind === 'advance_shortfall' ? d.source.class : null,
                d.debtor.kind,
                d.debtor.id,
                d.amount,
                d.dueOn,
                e.position.toString(),
              ],
            )
            break
          }
          case 'RepaymentRecorded':
            await query(
              `update ${recoveries} set recovered = $2,
                 status = case when $3::int8 = 0 then 'recovered' else 'partly_recovered' end
               where recovery = $1`,
              [e.data.recovery, e.data.recovered, e.data.outstanding],
            )
            break
          case 'RecoveryWriteOffRecorded':
            await query(
              `update ${recoveries} set written_off = $2, status = 'written_off' where recovery = $1`,
              [e.data.recovery, e.data.amount],
            )
            break
        }
      }
    },
  }
}
