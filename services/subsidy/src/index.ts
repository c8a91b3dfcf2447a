import type { Platform } from '@trec/fastify-kit'
import { resolveOptions, type SubsidyOptions } from './options.ts'
import { advanceRoute } from './routes/advances.ts'
import { claimStepRoutes } from './routes/claim-steps.ts'
import { contributionRoute } from './routes/contributions.ts'
import { paymentRoute } from './routes/payment.ts'
import { readClaimRoute } from './routes/read-claim.ts'
import { submitClaimRoute } from './routes/submit-claim.ts'

export { loadRuleSets } from './app/rule-catalogue.ts'
export type { RuleSet } from './domain/rule-set.ts'
export type { SubsidyOptions } from './options.ts'
export { defaultRulesDir } from './options.ts'

/**
 * The subsidy write side, the gate of 「凡补必进、不进不补」 (D1, D3), as a fastify plugin: claims,
 * review, approval, payment against the record's evidence, advances and settlement, clawback.
 * Register it on the platform without a prefix (its routes are under `/v1/...`):
 * `await app.register(subsidyService, { store })`.
 */
export async function subsidyService(app: Platform, options: SubsidyOptions): Promise<void> {
  const resolved = resolveOptions(options)
  submitClaimRoute(app, resolved)
  claimStepRoutes(app, resolved)
  paymentRoute(app, resolved)
  advanceRoute(app, resolved)
  contributionRoute(app, resolved)
  readClaimRoute(app, resolved)
}
