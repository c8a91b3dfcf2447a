import { archiveService, type ReadThenAppend } from '@trec/archive'
import { assessmentService } from '@trec/assessment'
import { attendanceService } from '@trec/attendance'
import { complianceService } from '@trec/compliance'
import { coalesceAppends } from '@trec/eventstore'
import {
  type AdmissionOptions,
  type AuthOptions,
  buildPlatform,
  cursorKeyOf,
  type LineSink,
  type Platform,
  type PlatformOptions,
  type RateLimitOptions,
  type TokenIssuer,
} from '@trec/fastify-kit'
import { OversightReadSide, oversightService } from '@trec/oversight'
import { KeyRing, SqlKeyStore } from '@trec/privacy'
import { defaultRulesDir, loadRuleSets, subsidyService } from '@trec/subsidy'
import { type TrustedIssuer, trainingService } from '@trec/training'
import { type AuditLogOptions, registerAuditLog } from './audit-log.ts'
import type { ServiceName } from './config.ts'
import { registerConsole } from './console-routes.ts'
import { registerHealthRoutes } from './health-routes.ts'
import { instrumentReadThenAppend, instrumentStore } from './instrumented-store.ts'
import { Metrics } from './metrics.ts'
import type { Runtime } from './open-store.ts'
import { openapiInfo } from './openapi-info.ts'
import { startReadSide } from './read-side.ts'
import { startReadSideThreads } from './read-side-threads.ts'
import { Readiness, storeCheck } from './readiness.ts'
import { workerSessionRoute } from './worker-sessions.ts'

export interface AppOptions {
  runtime: Runtime
  auth: AuthOptions
  services: readonly ServiceName[]
  pseudonymSecret: string
  masterKey: { kid: string; key: Uint8Array }
  /** The identity sources whose signed attestations enrolment accepts (none: every attestation is refused). */
  identityIssuers?: TrustedIssuer[]
  /**
   * Signs the worker tokens POST /v1/worker-sessions gives for a signed real-name attestation (with
   * the archive service); its public key is trusted for tokens of role `worker` and that role only.
   */
  workerSessions?: TokenIssuer
  logLevel?: string
  logSink?: LineSink
  clock?: () => Date
  /** Largest request body in bytes (default 1 MiB). */
  bodyLimit?: number
  /** Per-caller request budget; none unless given (main.ts gives the configured one). */
  rateLimit?: RateLimitOptions
  /** Admission control of writes (503 with Retry-After past the budget); none unless given. */
  admission?: Omit<AdmissionOptions, 'onRefuse'>
  /** When a request left unfinished releases its Idempotency-Key (main.ts: from the settings). */
  idempotency?: PlatformOptions['idempotency']
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
  /**
   * Who keeps the archive and compliance read models: this process from the store's feed
   * (`feed`, default; only while `runProjections` is not false) or read workers from Kafka
   * (`kafka`: this process only answers their queries).
   */
  readModels?: 'feed' | 'kafka'
  /** Checkpoint signing of the audit log; required when `services` includes `audit`. */
  audit?: AuditLogOptions
  /**
   * Run the read side (projections, fraud detectors, notary) on a thread of its own with its own
   * connections to this PostgreSQL database, so the request thread only handles HTTP and commands
   * (read-side-thread.ts), or on two (`threads`, default 2: read-side-threads.ts). Absent: on the
   * request thread. Only for a PostgreSQL store.
   */
  readSideThread?: { connectionString: string; storeSchema?: string; nice?: number; threads?: 1 | 2 }
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
  const sessions = options.workerSessions
  const app = await buildPlatform({
    auth: sessions
      ? { ...options.auth, workerSessions: { issuer: sessions.issuer, jwks: sessions.jwks } }
      : options.auth,
    db: runtime.sql,
    logLevel: options.logLevel ?? 'info',
    ...(options.logSink ? { logSink: options.logSink } : {}),
    ...(options.bodyLimit ? { bodyLimit: options.bodyLimit } : {}),
    ...(options.rateLimit ? { rateLimit: options.rateLimit } : {}),
    ...(options.admission ? { admission: { ...options.admission, onRefuse: metrics.observeRefusal } } : {}),
    ...(options.idempotency ? { idempotency: options.idempotency } : {}),
    securityHeaders: true,
    observeRequest: metrics.observeRequest,
    title: 'trec',
    openapi: openapiInfo,
  })
  if (options.admission)
    metrics
      .readGauge('trec_admission_in_flight', 'Writes in hand, as admission control counts them.')
      .track({}, () => app.admission.inFlight())
  if (options.admission?.maxLoopDelayMs !== undefined)
    metrics
      .readGauge(
        'trec_admission_loop_delay_ms',
        'The event loop’s recent delay, as admission control sees it (ms).',
      )
      .track({}, () => app.admission.loopDelayMs())
  // Appends of commands handled at the same time share one transaction (group commit; see
  // @trec/eventstore coalesce.ts); each command still gets its own outcome.
  const store = instrumentStore(coalesceAppends(runtime.store), metrics)
  readiness.add(storeCheck(runtime.store, options.storeKind ?? 'unknown'))
  const clock = options.clock ? { clock: options.clock } : {}
  // Every list's page cursors are tagged with one key from the deployment's secret: a cursor
  // holds on any instance, and nobody outside can make one up.
  const cursorKey = cursorKeyOf(options.pseudonymSecret)
  registerHealthRoutes(app, {
    readiness,
    metrics,
    ...(options.metricsToken ? { metricsToken: options.metricsToken } : {}),
  })
  // The web console (static, public files; it calls the API with the user's token).
  registerConsole(app)
  // One key ring for the workers' data keys: training seals with it, subsidy checks that a
  // payment's account opens under its worker's key.
  let keyRing: KeyRing | undefined
  if (services.includes('training') || services.includes('subsidy')) {
    const keys = new SqlKeyStore(runtime.client)
    await keys.migrate()
    keyRing = new KeyRing({ store: keys, masterKey: options.masterKey })
  }
  if (keyRing && services.includes('training')) {
    await app.register(trainingService, {
      store,
      keyRing,
      pseudonymSecret: options.pseudonymSecret,
      identityIssuers: options.identityIssuers ?? [],
      cursorKey,
      ...clock,
    })
  }
  if (services.includes('attendance')) await app.register(attendanceService, { store, ...clock })
  if (services.includes('assessment'))
    await app.register(assessmentService, { store, region: options.region ?? '130100', ...clock })
  if (keyRing && services.includes('subsidy'))
    // The shipped rule sets are published as events by the system on the first start (a restart
    // appends nothing), so a fresh deployment can pay a claim made today with no other step.
    await app.register(subsidyService, {
      store,
      keyRing,
      pseudonymSecret: options.pseudonymSecret,
      publish: loadRuleSets(defaultRulesDir),
      db: runtime.sql,
      cursorKey,
      ...clock,
    })
  const readSide = { store, db: runtime.sql, pseudonymSecret: options.pseudonymSecret, ...clock }
  if (services.includes('archive')) {
    // The SQL stores keep their tables in the read models' database (runtime.sql): a lookup there
    // reads the archive and logs the read in one statement.
    const sqlStore = runtime.store as Partial<ReadThenAppend>
    await app.register(archiveService, {
      ...readSide,
      region: options.region ?? '130100',
      cursorKey,
      ...(typeof sqlStore.appendAfterRead === 'function'
        ? { readThenAppend: instrumentReadThenAppend(sqlStore as ReadThenAppend, metrics) }
        : {}),
    })
    if (sessions)
      workerSessionRoute(app, {
        store,
        issuers: options.identityIssuers ?? [],
        tokens: sessions,
        region: options.region ?? '130100',
        clock: options.clock ?? (() => new Date()),
      })
  }
  // The same rule sets the subsidy gate decides by, so a payment is judged by the set it names.
  const rules = services.includes('compliance') ? loadRuleSets(defaultRulesDir) : undefined
  if (rules) await app.register(complianceService, { ...readSide, rules, cursorKey })
  let oversight: OversightReadSide | undefined
  if (services.includes('oversight')) {
    // Its projections follow the feed with the rest of the read side (startReadSide, below).
    oversight = new OversightReadSide({ store, db: runtime.sql })
    await app.register(oversightService, {
      store,
      db: runtime.sql,
      readSide: oversight,
      follow: false,
      cursorKey,
      ...clock,
    })
  }
  if (services.includes('audit')) {
    if (!options.audit) throw new Error('the audit service needs its checkpoint signing options (audit)')
    await registerAuditLog(app, {
      store: runtime.store,
      db: runtime.sql,
      region: options.region ?? '130100',
      options: options.audit,
      notarise: false,
      metrics,
      readiness,
    })
  }
  app.addHook('onClose', () => runtime.close())
  if (options.runProjections !== false) {
    // The read side: the read models, the oversight projections with the fraud detectors, and
    // the notary, each within a second of the feed's head for the process to be ready. Its hook
    // is added after the runtime's, so it runs first: the read side stops before the store closes.
    const readModels = options.readModels ?? 'feed'
    const into = { metrics, readiness }
    const stop = options.readSideThread
      ? (
          await startReadSideThreads(
            {
              ...options.readSideThread,
              threads: options.readSideThread.threads ?? 2,
              services,
              readModels,
              ...(options.audit ? { audit: options.audit } : {}),
            },
            into,
            app.log,
          )
        ).stop
      : await startReadSide({
          store,
          db: runtime.sql,
          services,
          readModels,
          ...(options.audit ? { audit: options.audit } : {}),
          ...(rules ? { rules: () => rules } : {}),
          ...(oversight ? { oversight } : {}),
          into,
          log: app.log,
        })
    app.addHook('onClose', stop)
  }
  return app
}
