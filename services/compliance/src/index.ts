import type { Platform } from '@trec/fastify-kit'
import { type ComplianceServiceOptions, resolveOptions } from './options.ts'
import { employmentRoutes } from './routes/employment.ts'
import { kpiRoutes } from './routes/kpis.ts'
import { paymentRoutes } from './routes/payments.ts'
import { planTargetRoutes } from './routes/plan-targets.ts'
import { reconciliationRoute } from './routes/reconciliation.ts'

export type { ComplianceServiceOptions } from './options.ts'
export type { ComplianceProjectionOptions } from './projection.ts'
export { complianceProjection, loadFacts } from './projection.ts'

/**
 * 凡补必进、不进不补 on the read side, as a fastify plugin: payments backed or not
 * (`/v1/compliance/payments`), KPIs and plan progress, reconciliation of finance files, and the
 * employment facts the KPIs count (`/v1/employment/...`). It reads the `complianceProjection`
 * read model, which the caller runs with the same rules (the plugin creates its tables).
 * `await app.register(complianceService, { store, db, rules, pseudonymSecret, planTargets? })`.
 */
export async function complianceService(app: Platform, options: ComplianceServiceOptions): Promise<void> {
  const resolved = resolveOptions(options)
  await resolved.runner.setup()
  paymentRoutes(app, resolved)
  kpiRoutes(app, resolved)
  reconciliationRoute(app, resolved)
  employmentRoutes(app, resolved)
  planTargetRoutes(app, resolved)
}
