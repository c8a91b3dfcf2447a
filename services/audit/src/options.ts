import { accessPurposes, objectWith, parseServiceOptions, regionCodeSchema } from '@trec/contracts'
import type { EventStore, SqlExecutor } from '@trec/eventstore'
import { KeySet } from '@trec/merkle'
import type { JWK } from 'jose'
import { z } from 'zod'
import { AuditDb } from './sql/audit-db.ts'

// The options of the audit API and of the notary, checked once when they start.

const storeSchema = objectWith<EventStore>('an EventStore', 'readAll', 'subscribe')
const executorSchema = objectWith<SqlExecutor>(
  'a SqlExecutor (pgExecutor or pgliteExecutor)',
  'query',
  'transaction',
)
const fn = <T>(message: string) => z.custom<T>((v) => typeof v === 'function', message)
export const sqlNameSchema = z.string().regex(/^[a-z_][a-z0-9_]{0,62}$/, 'a lowercase SQL name')
/** A checkpoint origin: one line of printable text without spaces (C2SP tlog-checkpoint). */
export const originSchema = z.string().regex(/^[\x21-\x7e]{1,255}$/, 'printable ASCII without spaces')

const jwkSchema = z.custom<JWK>((v) => typeof v === 'object' && v !== null && !Array.isArray(v), 'a JWK')

const serviceSchema = z.object({
  store: storeSchema,
  /** The database holding the audit tables (the store's own in embedded mode). */
  db: executorSchema,
  schema: sqlNameSchema.optional(),
  /** The log's origin, as its checkpoints name it. */
  origin: originSchema,
  /** The published checkpoint keys (a JWKS with windows, `KeySet.toJwks()`), served to auditors. */
  publishedKeys: z.object({ keys: z.array(jwkSchema).min(1) }),
  /** 行政区划代码 of the authority running the log: the region of the access events it appends. */
  region: regionCodeSchema,
  clock: fn<() => Date>('must be a function returning a Date').optional(),
  /** Purposes an export may declare (default: audit, fraud_case, supervision_inspection). */
  exportPurposes: z.array(z.enum(accessPurposes)).min(1).optional(),
  /** Largest number of events one export may hold (default 2,000,000). */
  maxExportEvents: z.int().min(1).optional(),
  /**
   * Witness cosignatures a checkpoint needs to be the default of exports and of
   * `checkpoints/latest` (default 0: the newest checkpoint, cosigned or not).
   */
  witnessCosignatures: z.int().min(0).optional(),
})

export type AuditOptions = z.input<typeof serviceSchema>

export interface ResolvedAuditOptions {
  store: EventStore
  log: AuditDb
  origin: string
  keys: KeySet
  region: string
  clock: () => Date
  exportPurposes: readonly (typeof accessPurposes)[number][]
  maxExportEvents: number
  witnessCosignatures: number
}

export async function resolveAuditOptions(input: AuditOptions): Promise<ResolvedAuditOptions> {
  const o = parseServiceOptions(serviceSchema, input, 'audit service')
  return {
    store: o.store,
    log: new AuditDb(o.db, o.schema, o.store),
    origin: o.origin,
    keys: await KeySet.fromJwks(o.publishedKeys),
    region: o.region,
    clock: o.clock ?? (() => new Date()),
    exportPurposes: o.exportPurposes ?? ['audit', 'fraud_case', 'supervision_inspection'],
    maxExportEvents: o.maxExportEvents ?? 2_000_000,
    witnessCosignatures: o.witnessCosignatures ?? 0,
  }
}

const signingKeySchema = z.object({
  privateKey: z.custom<object>((v) => typeof v === 'object' && v !== null, 'an Ed25519 private key'),
  publicKey: z.custom<object>((v) => typeof v === 'object' && v !== null).optional(),
  name: z.string().optional(),
  notBefore: z.date(),
  notAfter: z.date().optional(),
})

export const notarySchema = z.object({
  store: storeSchema,
  db: executorSchema,
  schema: sqlNameSchema.optional(),
  signing: z.object({
    origin: originSchema,
    keys: z.array(signingKeySchema).min(1),
    published: z.object({ keys: z.array(jwkSchema) }).optional(),
  }),
  /** Sign a checkpoint every `leaves` leaves, and after `seconds` when fewer came (defaults 1,000 and 10). */
  checkpointEvery: z
    .strictObject({
      leaves: z.int().min(1).optional(),
      seconds: z.number().positive().max(86_400).optional(),
    })
    .optional(),
  /** Events per feed batch, one transaction each (default 1,000). */
  batchSize: z.int().min(1).max(10_000).optional(),
  clock: fn<() => Date>('must be a function returning a Date').optional(),
  signal: z.custom<AbortSignal>((v) => v instanceof AbortSignal, 'an AbortSignal').optional(),
  /** Errors the notary survives (a failed batch, retried; a checkpoint no key could sign). */
  onError: fn<(error: unknown) => void>('a function').optional(),
  retryDelayMs: z.int().min(0).optional(),
  /** Runs in each batch's transaction before it commits (crash tests): throwing rolls it back. */
  beforeCommit: fn<(batch: { from: number; to: number }) => Promise<void>>('an async function').optional(),
  /** Witnesses to offer each checkpoint to (notary/cosign.ts). */
  witnesses: z
    .strictObject({
      urls: z.array(z.url({ protocol: /^https?$/ })).min(1),
      required: z.int().min(0).optional(),
      retryMs: z.int().min(0).optional(),
      timeoutMs: z.int().min(1).optional(),
    })
    .refine((w) => (w.required ?? w.urls.length) <= w.urls.length, {
      message: 'required is at most the number of witnesses',
      path: ['required'],
    })
    .optional(),
})
