import { archiveProjection, archiveService } from '@trec/archive'
import { assessmentService } from '@trec/assessment'
import { attendanceService } from '@trec/attendance'
import { complianceProjection, complianceService } from '@trec/compliance'
import { coalesceAppends } from '@trec/eventstore'
import {
  type AuthOptions,
  buildPlatform,
  type LineSink,
  type Platform,
  type RateLimitOptions,
} from '@trec/fastify-kit'
import { oversightService } from '@trec/oversight'
import { KeyRing, SqlKeyStore } from '@trec/privacy'
import type { Projection } from '@trec/projections'
import { defaultRulesDir, loadRuleSets, subsidyService } from '@trec/subsidy'
import { trainingService } from '@trec/training'
import { type AuditLogOptions, registerAuditLog } from './audit-log.ts'
import type { ServiceName } from './config.ts'
import { registerHealthRoutes } from './health-routes.ts'
import { instrumentStore } from './instrumented-store.ts'
import { Metrics } from './metrics.ts'
import type { Runtime } from './open-store.ts'
import { runProjections } from './projections.ts'
import { Readiness, storeCheck } from './readiness.ts'

export interface AppOptions {
  runtime: Runtime
  auth: AuthOptions
  services: readonly ServiceName[]
  pseudonymSecret: string
  masterKey: { kid: string; key: Uint8Array }
  logLevel?: string
  logSink?: LineSink
  clock?: () => Date
  /** Largest request body in bytes (default 1 MiB). */
  bodyLimit?: number
  /** Per-caller request budget; none unless given (main.ts gives the configured one). */
  rateLimit?: RateLimitOptions
  /**
   * Where this process's metrics go; pass one to register more gauges into it (a projection's
   * lag, the notary's tree size). Made here when not given.
   */
  metrics?: Metrics
  /** The checks behind /health/ready; the store's is added here. Pass one to add more. */
  readiness?: Readiness
  /** When given, GET /metrics needs it as a bearer token; otherwise /metrics is public. */
  metricsToken?: string
  /** Which store the runtime is, for the readiness report (default `unknown`). */
  storeKind?: string
  /** The 行政区划代码 of this deployment, put on the envelopes of access events (default 130100). */
  region?: string
  /**
   * Run the read side's projections in this process from the store's feed (default true); with
   * the audit service, also its notary.
   */
  runProjections?: boolean
  /** Checkpoint signing of the audit log; required when `services` includes `audit`. */
  audit?: AuditLogOptions
}

/**
 * Builds the HTTP application without listening (tests `inject` into it): the platform, then
 * each chosen service as an encapsulated plugin. One process can run all of them (embedded
 * mode) or one (distributed mode); the code path is the same.
 *
 * The services see the store through a decorator that times and counts appends. Closing the
 * app stops accepting requests, lets those in flight finish, then closes the runtime; a
 * background worker added later stops first if its `onClose` hook is added after this returns
 * (fastify runs onClose hooks last-added first).
 */
export async function buildApp(options: AppOptions): Promise<Platform> {
  const { runtime, services } = options
  const metrics = options.metrics ?? new Metrics()
  const readiness = options.readiness ?? new Readiness()
  const app = await buildPlatform({
    auth: options.auth,
    db: runtime.sql,
    logLevel: options.logLevel ?? 'info',
    ...(options.logSink ? { logSink: options.logSink } : {}),
    ...(options.bodyLimit ? { bodyLimit: options.bodyLimit } : {}),
    ...(options.rateLimit ? { rateLimit: options.rateLimit } : {}),
    securityHeaders: true,
    observeRequest: metrics.observeRequest,
    title: 'trec',
  })
  // Appends of commands handled at the same time share one transaction (group commit; see
  // @trec/eventstore coalesce.ts); each command still gets its own outcome.
  const store = instrumentStore(coalesceAppends(runtime.store), metrics)
  readiness.add(storeCheck(runtime.store, options.storeKind ?? 'unknown'))
  const clock = options.clock ? { clock: options.clock } : {}
  registerHealthRoutes(app, {
    readiness,
    metrics,
    ...(options.metricsToken ? { metricsToken: options.metricsToken } : {}),
  })
  if (services.includes('training')) {
    const keys = new SqlKeyStore(runtime.client)
    await keys.migrate()
    const keyRing = new KeyRing({ store: keys, masterKey: options.masterKey })
    await app.register(trainingService, {
      store,
      keyRing,
      pseudonymSecret: options.pseudonymSecret,
      ...clock,
    })
  }
  if (services.includes('attendance')) await app.register(attendanceService, { store, ...clock })
  if (services.includes('assessment')) await app.register(assessmentService, { store, ...clock })
  if (services.includes('subsidy'))
    // The shipped rule sets are published as events by the system on the first start (a restart
    // appends nothing), so a fresh deployment can pay a claim made today with no other step.
    await app.register(subsidyService, { store, publish: loadRuleSets(defaultRulesDir), ...clock })
  const projections: Projection[] = []
  const readSide = { store, db: runtime.sql, pseudonymSecret: options.pseudonymSecret, ...clock }
  if (services.includes('archive')) {
    await app.register(archiveService, { ...readSide, region: options.region ?? '130100' })
    projections.push(archiveProjection)
  }
  if (services.includes('compliance')) {
    // The same rule sets the subsidy gate decides by, so a payment is judged by the set it names.
    const rules = loadRuleSets(defaultRulesDir)
    await app.register(complianceService, { ...readSide, rules })
    projections.push(complianceProjection({ rules }))
  }
  if (services.includes('oversight'))
    // Its detectors follow the feed themselves (and append alerts after their checkpoint commits).
    await app.register(oversightService, {
      store,
      db: runtime.sql,
      follow: options.runProjections !== false,
      ...clock,
    })
  app.addHook('onClose', () => runtime.close())
  if (projections.length > 0 && options.runProjections !== false) {
    const running = await runProjections(
      runtime.store,
      runtime.sql,
      projections,
      { metrics, readiness },
      app.log,
    )
    // Added after the runtime's hook, so it runs first: projections stop before the store closes.
    app.addHook('onClose', () => running.stop())
  }
  if (services.includes('audit')) {
    if (!options.audit) throw new Error('the audit service needs its checkpoint signing options (audit)')
    await registerAuditLog(app, {
      store: runtime.store,
      db: runtime.sql,
      region: options.region ?? '130100',
      options: options.audit,
      notarise: options.runProjections !== false,
      metrics,
      readiness,
    })
  }
  return app
}
