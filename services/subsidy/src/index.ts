import type { Platform } from '@trec/fastify-kit'
import { publishShippedRuleSets } from './app/rule-source.ts'
import { resolveOptions, type SubsidyOptions } from './options.ts'
import { advanceRoute } from './routes/advances.ts'
import { cardAccountRoute } from './routes/card-accounts.ts'
import { claimStepRoutes } from './routes/claim-steps.ts'
import { contributionRoute } from './routes/contributions.ts'
import { listClaimsRoute } from './routes/list-claims.ts'
import { listRecoveriesRoute } from './routes/list-recoveries.ts'
import { listRuleSetsRoute } from './routes/list-rule-sets.ts'
import { paymentRoute } from './routes/payment.ts'
import { paymentBatchRoutes } from './routes/payment-batches.ts'
import { publicationRoutes } from './routes/publications.ts'
import { readClaimRoute } from './routes/read-claim.ts'
import { recoveryRoutes } from './routes/recoveries.ts'
import { ruleSetRoutes } from './routes/rule-sets.ts'
import { sanctionReviewRoutes } from './routes/sanction-reviews.ts'
import { submitClaimRoute } from './routes/submit-claim.ts'
import { workerVoucherRoute } from './routes/worker-vouchers.ts'

export { loadRuleSets } from './app/rule-catalogue.ts'
export { publishShippedRuleSets, ruleSetsFor } from './app/rule-source.ts'
export { evolveSubsidy, initialSubsidyState, type SubsidyEvent } from './domain/claim-state.ts'
export type { Evidence, Fact } from './domain/facts.ts'
export { type GateInput, type GateResult, runGate } from './domain/gate.ts'
export type { RuleSet } from './domain/rule-set.ts'
export type { SubsidyOptions } from './options.ts'
export { defaultRulesDir } from './options.ts'
export { claimsListName, claimsListProjection } from './read/claims-projection.ts'

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
  paymentBatchRoutes(app, resolved)
  advanceRoute(app, resolved)
  recoveryRoutes(app, resolved)
  contributionRoute(app, resolved)
  cardAccountRoute(app, resolved)
  readClaimRoute(app, resolved)
  workerVoucherRoute(app, resolved)
  if (resolved.claimsList) {
    await resolved.claimsList.runner.setup()
    listClaimsRoute(app, resolved)
    listRecoveriesRoute(app, resolved)
  }
  sanctionReviewRoutes(app, resolved)
  publicationRoutes(app, resolved)
  ruleSetRoutes(app, resolved)
  listRuleSetsRoute(app, resolved)
  if (resolved.publish.length > 0)
    app.addHook('onReady', async () => {
      const report = await publishShippedRuleSets(resolved.store, resolved.publish)
      if (report.published.length + report.refused.length > 0)
        app.log.info({ ruleSets: report }, 'shipped subsidy rule sets published')
    })
}
