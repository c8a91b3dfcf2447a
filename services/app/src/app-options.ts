import type { BudgetLimits, FrontOptions } from '@trec/fastify-kit'
import type { AppOptions } from './app.ts'
import type { Config } from './config.ts'
import type { Settings } from './settings.ts'

/** The app's options from the validated environment and the resolved keys (main and prepare). */
export function appOptions(config: Config, settings: Settings, runtime: AppOptions['runtime']): AppOptions {
  return {
    runtime,
    auth: settings.auth,
    services: config.TREC_SERVICES,
    pseudonymSecret: settings.pseudonymSecret,
    masterKey: settings.masterKey,
    identityIssuers: settings.identityIssuers,
    workerSessions: settings.workerSessions,
    logLevel: config.TREC_LOG_LEVEL,
    bodyLimit: config.TREC_BODY_LIMIT,
    ...(config.TREC_RATE_LIMIT_MAX > 0
      ? { rateLimit: { max: config.TREC_RATE_LIMIT_MAX, timeWindowMs: config.TREC_RATE_LIMIT_WINDOW_MS } }
      : {}),
    ...admissionOptions(config),
    ...(config.TREC_METRICS_TOKEN ? { metricsToken: config.TREC_METRICS_TOKEN } : {}),
    storeKind: config.TREC_STORE,
    idempotency: {
      abandonAfterMs: config.TREC_IDEMPOTENCY_ABANDON_MS,
      releaseAtStart: config.TREC_STORE === 'pglite',
    },
    readModels: config.TREC_READ_MODELS,
    ...readSideOptions(config),
    region: config.TREC_REGION,
    ...(settings.auditSigning
      ? {
          audit: {
            signing: settings.auditSigning,
            checkpointEvery: {
              leaves: config.TREC_AUDIT_CHECKPOINT_LEAVES,
              seconds: config.TREC_AUDIT_CHECKPOINT_SECONDS,
            },
            ...(config.TREC_AUDIT_WITNESSES.length > 0
              ? {
                  witnesses: {
                    urls: config.TREC_AUDIT_WITNESSES,
                    required: config.TREC_AUDIT_WITNESS_COSIGNATURES ?? config.TREC_AUDIT_WITNESSES.length,
                  },
                }
              : {}),
          },
        }
      : {}),
  }
}

/** The admission budget from the configuration: none when both limits are 0. */
export function admissionOptions(config: Config): Pick<AppOptions, 'admission'> {
  const maxLoopDelayMs = config.TREC_ADMISSION_MAX_LOOP_DELAY_MS
  const limits = budgetLimits(config)
  const unlimited = !Number.isFinite(limits.maxInFlight) && !Number.isFinite(limits.maxLatencyMs)
  // Behind a front thread the budget is the front's (frontOptions), not the app's.
  if (frontThreadOn(config) || (unlimited && maxLoopDelayMs === 0)) return {}
  return {
    admission: {
      ...limits,
      ...(maxLoopDelayMs === 0 ? {} : { maxLoopDelayMs }),
    },
  }
}

/** TREC_FRONT_THREAD, on by default where the store is PostgreSQL. */
const frontThreadOn = (config: Config) =>
  (config.TREC_FRONT_THREAD ?? (config.TREC_STORE === 'postgres' ? 'on' : 'off')) === 'on'

/** Where and how the front thread listens (TREC_FRONT_THREAD), with the write budget's limits. */
export function frontOptions(config: Config): Omit<FrontOptions, 'onRefuse'> | undefined {
  if (!frontThreadOn(config)) return undefined
  return {
    host: config.TREC_HOST,
    port: config.TREC_PORT,
    ...budgetLimits(config),
  }
}

/** TREC_ADMISSION_MAX_IN_FLIGHT and _MAX_LATENCY_MS, 0 meaning no limit. */
function budgetLimits(config: Config): BudgetLimits {
  const maxInFlight = config.TREC_ADMISSION_MAX_IN_FLIGHT
  const maxLatencyMs = config.TREC_ADMISSION_MAX_LATENCY_MS
  return {
    maxInFlight: maxInFlight === 0 ? Number.POSITIVE_INFINITY : maxInFlight,
    maxLatencyMs: maxLatencyMs === 0 ? Number.POSITIVE_INFINITY : maxLatencyMs,
  }
}

/** The read side on its own thread: on PostgreSQL unless TREC_READ_SIDE=main (read-side-thread.ts). */
export function readSideOptions(config: Config, storeSchema?: string): Pick<AppOptions, 'readSideThread'> {
  if (config.TREC_STORE !== 'postgres' || config.TREC_READ_SIDE === 'main' || !config.DATABASE_URL) return {}
  return {
    readSideThread: {
      connectionString: config.DATABASE_URL,
      nice: config.TREC_READ_SIDE_NICE,
      threads: config.TREC_READ_SIDE_THREADS,
      ...(storeSchema ? { storeSchema } : {}),
    },
  }
}
