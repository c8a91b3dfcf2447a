import { reject } from '@trec/command'
import type { EventData } from '@trec/contracts'
import { addDays } from '@trec/core'
import type { ClaimState } from './claim-state.ts'

// 公示 before payment (NOT IN SEEDS; the rule set's `practice.publicationDays`): an approved claim
// is published from the day of its approval for the configured days, names masked, and is paid
// only once the period has passed. An objection filed during it holds the claim until an officer
// rules: upheld rejects the claim, dismissed lets it be paid after the period.

export type Publication = Pick<EventData<'ClaimPublished'>, 'from' | 'to'>

export interface PublicationObjection {
  objection: string
  reason: string
  outcome?: 'upheld' | 'dismissed'
}

/** The publication period of a claim approved on `today` under `days`: `days` days, `today` the first. */
export function publicationPeriod(today: string, days: number): Publication {
  return { from: today, to: addDays(today, days - 1) }
}

/** Why a claim may not be paid yet on `today` for its publication, if it may not. */
export function publicationHold(
  claim: Pick<ClaimState, 'publication' | 'objections'>,
  today: string,
): { rule: string; message: string; details: Record<string, unknown> } | undefined {
  const p = claim.publication
  if (!p) return undefined
  const open = claim.objections.find((o) => o.outcome === undefined)
  if (open)
    return {
      rule: 'publication-objection',
      message: `an objection to the published claim (${open.objection}) waits for an officer's ruling`,
      details: { objection: open.objection, publishedUntil: p.to },
    }
  if (today <= p.to)
    return {
      rule: 'publication',
      message: `the claim is published (公示) until ${p.to} and is paid only after`,
      details: { from: p.from, until: p.to },
    }
  return undefined
}

/** An objection may be filed only while the claim is published, and one at a time. */
export function checkObjectionFiled(claim: ClaimState, objection: string, today: string): void {
  const p = claim.publication
  if (claim.status !== 'approved' || !p || today < p.from || today > p.to)
    reject({
      rule: 'publication-open',
      message: 'an objection is filed only against an approved claim during its publication',
      details: { status: claim.status, publication: p ?? null, today },
    })
  const open = claim.objections.find((o) => o.outcome === undefined)
  if (open && open.objection !== objection)
    reject({
      rule: 'publication-objection',
      message: 'an objection to this claim already waits for a ruling',
      details: { objection: open.objection },
    })
}

/** The objection an officer rules on: filed against the claim and not ruled yet. */
export function checkObjectionRuled(claim: ClaimState, objection: string): void {
  const found = claim.objections.find((o) => o.objection === objection)
  if (!found || found.outcome !== undefined)
    reject({
      rule: 'publication-objection',
      message: found
        ? `the objection ${objection} is already ruled on`
        : `no objection ${objection} to this claim`,
      details: { objection, outcome: found?.outcome ?? null },
    })
}
