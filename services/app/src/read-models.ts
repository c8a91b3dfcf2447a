import { archiveProjection, objectionsProjection } from '@trec/archive'
import { complianceProjection } from '@trec/compliance'
import type { Projection } from '@trec/projections'
import { claimsListProjection, defaultRulesDir, loadRuleSets } from '@trec/subsidy'
import type { ServiceName } from './config.ts'

/** The services whose queries read read models of their own (the projections below). */
export const readModelServices: readonly ServiceName[] = ['subsidy', 'archive', 'compliance']

/**
 * The read models (projections) behind the chosen services' queries: one list whichever
 * process keeps them, the service's own (following the store's feed) or a read worker
 * (consuming Kafka). Compliance judges payments by the same rule sets the subsidy gate decides
 * by, so a payment is judged by the set it names.
 */
export function readModelsOf(
  services: readonly ServiceName[],
  rules: () => RuleSets = () => loadRuleSets(defaultRulesDir),
): Projection[] {
  const projections: Projection[] = []
  if (services.includes('subsidy')) projections.push(claimsListProjection())
  if (services.includes('archive')) projections.push(archiveProjection, objectionsProjection)
  if (services.includes('compliance')) projections.push(complianceProjection({ rules: rules() }))
  return projections
}

type RuleSets = ReturnType<typeof loadRuleSets>
