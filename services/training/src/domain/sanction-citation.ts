import type { RuleViolation } from '@trec/command'
import { regionCovers } from '@trec/contracts'
import { violation } from './rules.ts'

// A suspension or delisting carries out a sanction decided in an oversight case (docs/domain.md
// §4 "Penalties"): the officer cites the case and its `CaseSanctionDecided`, and the citation must
// hold on the case's own stream, read before the decision.

/** What the case's stream says, as the route read it. */
export interface CaseFact {
  id: string
  type: string
  data: Record<string, unknown>
}

export interface Citation {
  case: string
  decision: string
}

/** The violation, if the cited decision is not a `kind` sanction against `institution` in a case covering `region`. */
export function citationViolation(
  facts: readonly CaseFact[],
  citation: Citation,
  expected: { institution: string; region: string; kind: 'suspension' | 'delisting' },
): RuleViolation | undefined {
  const opened = facts.find((f) => f.type === 'CaseOpened')
  if (!opened)
    return violation('sanction-cited', `there is no case ${citation.case}`, { field: 'sanction.case' })
  const caseRegion = String(opened.data.region)
  if (!regionCovers(caseRegion, expected.region))
    return violation('sanction-cited', `case ${citation.case} is not a case of the institution's region`, {
      field: 'sanction.case',
      caseRegion,
      region: expected.region,
    })
  const decision = facts.find((f) => f.id === citation.decision)
  if (decision?.type !== 'CaseSanctionDecided')
    return violation(
      'sanction-cited',
      `case ${citation.case} holds no sanction decision ${citation.decision}`,
      {
        field: 'sanction.decision',
      },
    )
  const target = decision.data.target as { kind: string; id: string }
  if (target.kind !== 'institution' || target.id !== expected.institution)
    return violation('sanction-cited', 'the cited sanction is not against this institution', {
      field: 'sanction.decision',
      target,
    })
  if (decision.data.sanction !== expected.kind)
    return violation(
      'sanction-cited',
      `the cited sanction is a ${String(decision.data.sanction)}, not a ${expected.kind}`,
      {
        field: 'sanction.decision',
        sanction: decision.data.sanction,
        expected: expected.kind,
      },
    )
  return undefined
}
