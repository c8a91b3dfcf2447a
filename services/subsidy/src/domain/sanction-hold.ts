import type { EventData } from '@trec/contracts'
import type { ClaimFacts } from './claim-facts.ts'
import { type Evidence, factsOf } from './facts.ts'

// Claims caught by a sanction (docs/domain.md §4 "Penalties"; the rule is not in seeds; set by
// the region, stated here as the default): a claim made before its institution's suspension or
// delisting took effect, and still open when it did, is held for an officer's review
// (`ClaimSanctionReviewed`). `continue` lets it go on to payment, which the gate still refuses
// while a suspension is in force and at all after a delisting (D1 「立即清退」); `reject` rejects
// it. A claim made after a suspension ended is not held: the gate already judged it then.

export type SanctionReviewed = EventData<'ClaimSanctionReviewed'>

export interface SanctionOver {
  kind: 'suspension' | 'delisting'
  from: string
  to?: string
  citation?: { case: string; decision: string }
}

/** The latest sanction of the claim's institution that took effect after the claim was made, if any. */
export function sanctionOver(
  claim: Pick<ClaimFacts, 'payee' | 'claimedOn'>,
  evidence: Evidence,
): SanctionOver | undefined {
  if (claim.payee.kind === 'worker') return undefined
  const institution = claim.payee.id
  const found: SanctionOver[] = []
  for (const f of factsOf(evidence, 'InstitutionSuspended'))
    if (f.data.institution === institution && f.data.from > claim.claimedOn)
      found.push({ kind: 'suspension', from: f.data.from, to: f.data.to, citation: f.data.sanction })
  for (const f of factsOf(evidence, 'InstitutionDelisted'))
    if (f.data.institution === institution && f.data.effectiveFrom > claim.claimedOn)
      found.push({
        kind: 'delisting',
        from: f.data.effectiveFrom,
        ...(f.data.sanction ? { citation: f.data.sanction } : {}),
      })
  return found.sort((a, b) => a.from.localeCompare(b.from)).at(-1)
}

/** The last sanction review of a claim on the worker's record, if any. */
export function sanctionReviewOf(claim: string, evidence: Evidence): SanctionReviewed | undefined {
  return factsOf(evidence, 'ClaimSanctionReviewed').findLast((f) => f.data.claim === claim)?.data
}

/** The refusal of paying a held claim that no review has let continue. */
export function heldBySanction(
  claim: Pick<ClaimFacts, 'claim' | 'payee' | 'claimedOn'>,
  evidence: Evidence,
): { sanction: SanctionOver; review?: SanctionReviewed } | undefined {
  const sanction = sanctionOver(claim, evidence)
  if (!sanction) return undefined
  const review = sanctionReviewOf(claim.claim, evidence)
  if (review?.outcome === 'continue' && review.sanction.from === sanction.from) return undefined
  return review ? { sanction, review } : { sanction }
}
