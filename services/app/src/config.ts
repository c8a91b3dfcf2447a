import { cryptoProfileNames } from '@trec/core'
import { z } from 'zod'

export const serviceNames = [
  'training',
  'attendance',
  'assessment',
  'subsidy',
  'archive',
  'compliance',
  'oversight',
  'audit',
] as const
export type ServiceName = (typeof serviceNames)[number]

// Configuration comes only from the environment, validated once at start so that a bad value
// stops the process with every problem listed before anything is opened or written.
export const configSchema = z
  .object({
    TREC_STORE: z.enum(['pglite', 'postgres', 'kurrentdb']).default('pglite'),
    TREC_DATA_DIR: z.string().min(1).default('.data'),
    DATABASE_URL: z.url().optional(),
    KURRENTDB_URL: z.string().min(1).optional(),
    TREC_HOST: z.string().min(1).default('127.0.0.1'),
    TREC_PORT: z.coerce.number().int().min(0).max(65535).default(3000),
    TREC_LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    /** Which write-side services this process runs (comma list), default all. */
    TREC_SERVICES: z
      .string()
      .default(serviceNames.join(','))
      .transform((s) => s.split(',').map((x) => x.trim()))
      .pipe(z.array(z.enum(serviceNames)).min(1)),
    /**
     * Who keeps the archive and compliance read models: this process, following the store's feed
     * (`feed`), or read workers consuming Kafka (`kafka`: read-worker-main.ts; this process then
     * only answers their queries).
     */
    TREC_READ_MODELS: z.enum(['feed', 'kafka']).default('feed'),
    /**
     * Where the read side (projections, fraud detectors, notary) runs: on a thread of its own with
     * its own connections (`thread`, the default on PostgreSQL), so the request thread only handles
     * HTTP and commands, or on the request thread (`main`, the only choice for the embedded store
     * and KurrentDB).
     */
    TREC_READ_SIDE: z.enum(['thread', 'main']).optional(),
    /**
     * The niceness of the read side's thread (0–19, Linux): above 0, a machine whose cores are all
     * busy runs the request thread first, so requests (refusals under overload too) are read
     * sooner and the read side catches up when the peak passes.
     */
    TREC_READ_SIDE_NICE: z.coerce.number().int().min(0).max(19).default(10),
    /**
     * How many threads the read side runs on (`thread` only): 2 (the default) runs the read
     * models with the notary on one and the oversight projections with the fraud detectors on the
     * other, so the read side's Node work uses two cores; 1 runs all of it on one.
     */
    TREC_READ_SIDE_THREADS: z.coerce
      .number()
      .pipe(z.union([z.literal(1), z.literal(2)]))
      .default(2),
    /** Token verification; without a JWKS the process runs with development keys in TREC_DATA_DIR. */
    TREC_JWT_ISSUER: z.string().min(1).default('trec-dev'),
    TREC_JWT_AUDIENCE: z.string().min(1).default('trec-api'),
    TREC_JWKS_URL: z.url().optional(),
    TREC_JWKS_FILE: z.string().min(1).optional(),
    /** HMAC secret of worker pseudonyms (≥ 32 bytes); development default in TREC_DATA_DIR. */
    TREC_PSEUDONYM_SECRET: z.string().min(32).optional(),
    /** Master key wrapping workers' data keys: 32 bytes, base64, with its id. */
    TREC_MASTER_KEY: z
      .string()
      .refine((s) => Buffer.from(s, 'base64').length === 32, 'must be 32 bytes, base64')
      .optional(),
    TREC_MASTER_KEY_ID: z.string().min(1).max(64).default('master-1'),
    /**
     * The identity sources whose signed attestations (实名认证) enrolment accepts, with their pinned
     * keys (a JSON file: `{ "issuers": [{ "issuer", "methods", "jwks" }] }`); without it, the local
     * stand-in issuer whose key is in TREC_DATA_DIR (`npm run attest`).
     */
    TREC_IDENTITY_ISSUERS_FILE: z.string().min(1).optional(),
    /**
     * The private key (an Ed25519 JWK with its `kid`, in a JSON file) worker tokens are signed with
     * when a worker signs in with an attestation (POST /v1/worker-sessions), and the issuer they
     * name; every process verifying tokens needs the same file. Without it, a key in TREC_DATA_DIR.
     */
    TREC_WORKER_SESSION_KEY_FILE: z.string().min(1).optional(),
    TREC_WORKER_SESSION_ISSUER: z.string().min(1).default('trec-worker-sessions'),
    /** Seconds a worker token holds. */
    TREC_WORKER_SESSION_TTL: z.coerce.number().int().min(60).max(3600).default(900),
    /**
     * The crypto profile, once per deployment (@trec/core crypto-profile.ts): international
     * (SHA-256, Ed25519, AES-256-GCM) or gm (SM3, SM2, SM4). Read by @trec/core itself; listed
     * here so that a misspelt value stops the process at start with the others.
     */
    TREC_CRYPTO_PROFILE: z.enum(cryptoProfileNames).default('international'),
    /** Largest request body in bytes. */
    TREC_BODY_LIMIT: z.coerce
      .number()
      .int()
      .min(1024)
      .max(64 * 1024 * 1024)
      .default(1024 * 1024),
    /** Requests per caller (token client and subject; address on public routes) per window; 0 turns it off. */
    TREC_RATE_LIMIT_MAX: z.coerce.number().int().min(0).default(1200),
    TREC_RATE_LIMIT_WINDOW_MS: z.coerce.number().int().min(1000).default(60_000),
    /**
     * Admission control of writes: past this many writes in hand, or while the oldest has waited
     * longer than the latency budget (ms), a new write is answered 503 with Retry-After at once.
     * 0 turns that limit off. Defaults measured with the mixed benchmark (BENCHMARKS.md).
     */
    TREC_ADMISSION_MAX_IN_FLIGHT: z.coerce.number().int().min(0).max(100_000).default(64),
    TREC_ADMISSION_MAX_LATENCY_MS: z.coerce.number().int().min(0).max(60_000).default(500),
    /**
     * And while the event loop's recent delay is past this (ms): every request, a refusal too,
     * waits that long before it is read. 0 (the default) leaves it out of the budget.
     */
    TREC_ADMISSION_MAX_LOOP_DELAY_MS: z.coerce.number().int().min(0).max(60_000).default(0),
    /**
     * `on`: a thread of its own reads the sockets and refuses writes past the budget above, so a
     * refusal does not wait for the request thread (fastify-kit's front.ts). The loop-delay
     * budget is then not used: the front's loop is never the one that is late. Default: on with
     * TREC_STORE=postgres (measured there: BENCHMARKS.md), off otherwise.
     */
    TREC_FRONT_THREAD: z.enum(['on', 'off']).optional(),
    /**
     * PostgreSQL: connections of the request thread's pool (commands, queries, idempotency). Each
     * busy connection is a server process competing for the cores with the request thread.
     */
    TREC_PG_POOL_MAX: z.coerce.number().int().min(1).max(1000).default(20),
    /** When set, GET /metrics asks for `Authorization: Bearer <this>`; unset, /metrics is public. */
    TREC_METRICS_TOKEN: z.string().min(16).optional(),
    /** 行政区划代码 of this deployment: the region put on the access events it records. */
    TREC_REGION: z
      .string()
      .regex(/^\d{6}$/, 'six digits (行政区划代码)')
      .default('130100'),
    /** The audit log's origin line, as its signed checkpoints name it. */
    TREC_AUDIT_ORIGIN: z
      .string()
      .regex(/^[\x21-\x7e]{1,255}$/, 'printable ASCII without spaces')
      .default('trec.example/audit-log'),
    /** Ed25519 private key (PKCS#8 PEM file) signing checkpoints; development key in TREC_DATA_DIR otherwise. */
    TREC_AUDIT_SIGNING_KEY_FILE: z.string().min(1).optional(),
    /** Start of that key's validity window (ISO 8601). */
    TREC_AUDIT_KEY_NOT_BEFORE: z.iso.datetime({ offset: true }).default('2020-01-01T00:00:00Z'),
    /** The published checkpoint keys (JWKS with windows, retired keys included) when keys were rotated. */
    TREC_AUDIT_PUBLISHED_KEYS_FILE: z.string().min(1).optional(),
    /** A signed checkpoint every N leaves, and after T seconds if fewer came. */
    TREC_AUDIT_CHECKPOINT_LEAVES: z.coerce.number().int().min(1).default(1000),
    TREC_AUDIT_CHECKPOINT_SECONDS: z.coerce.number().int().min(1).default(10),
    /** Witnesses (C2SP tlog-witness) the notary offers each checkpoint to: their base URLs, comma list. */
    TREC_AUDIT_WITNESSES: z
      .string()
      .default('')
      .transform((s) =>
        s
          .split(',')
          .map((x) => x.trim())
          .filter(Boolean),
      )
      .pipe(z.array(z.url({ protocol: /^https?$/ }))),
    /**
     * How many of them must cosign a checkpoint (default: all): fewer is logged, and the audit
     * API's exports and latest checkpoint default to the newest checkpoint that many cosigned.
     */
    TREC_AUDIT_WITNESS_COSIGNATURES: z.coerce.number().int().min(0).optional(),
    /** On SIGTERM, how long to keep answering (with `Connection: close`, not ready) before closing. */
    TREC_SHUTDOWN_DRAIN_MS: z.coerce.number().int().min(0).max(60_000).default(1000),
    /**
     * How long a request left unfinished (its process died) blocks retries with its Idempotency-Key
     * on PostgreSQL, where another instance may still be running it. The embedded store has one
     * process: at start it releases whatever an earlier run left unfinished.
     */
    TREC_IDEMPOTENCY_ABANDON_MS: z.coerce.number().int().min(1000).default(60_000),
    /** Longest a graceful shutdown (SIGTERM/SIGINT) may take before the process exits anyway. */
    TREC_SHUTDOWN_TIMEOUT_MS: z.coerce.number().int().min(100).default(10_000),
  })
  .superRefine((c, ctx) => {
    if (c.TREC_STORE === 'postgres' && !c.DATABASE_URL)
      ctx.addIssue({ code: 'custom', path: ['DATABASE_URL'], message: 'required when TREC_STORE=postgres' })
    if (c.TREC_READ_SIDE === 'thread' && c.TREC_STORE !== 'postgres')
      ctx.addIssue({
        code: 'custom',
        path: ['TREC_READ_SIDE'],
        message: 'thread only with TREC_STORE=postgres',
      })
    if (c.TREC_STORE === 'kurrentdb' && !c.KURRENTDB_URL)
      ctx.addIssue({ code: 'custom', path: ['KURRENTDB_URL'], message: 'required when TREC_STORE=kurrentdb' })
    if (c.TREC_STORE === 'kurrentdb' && !c.DATABASE_URL)
      ctx.addIssue({
        code: 'custom',
        path: ['DATABASE_URL'],
        message: 'required with KurrentDB too: keys, idempotency records and read models live in PostgreSQL',
      })
  })

export type Config = z.infer<typeof configSchema>

/**
 * An empty variable counts as unset: compose files and orchestrators pass `VAR=` for a value
 * nobody gave, and an empty secret or URL must fall back to its default, not fail validation.
 */
export function withoutEmpty(env: Record<string, string | undefined>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(env).filter((e): e is [string, string] => e[1] !== undefined && e[1] !== ''),
  )
}

export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const parsed = configSchema.safeParse(withoutEmpty(env))
  if (parsed.success) return parsed.data
  const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`)
  throw new Error(`invalid configuration:\n${lines.join('\n')}`)
}
