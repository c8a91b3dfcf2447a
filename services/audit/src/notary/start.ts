import { parseServiceOptions } from '@trec/contracts'
import { TrecError } from '@trec/core'
import type { EventStore, SqlExecutor } from '@trec/eventstore'
import type { PublishedJwk } from '@trec/merkle'
import { notarySchema } from '../options.ts'
import { resolveSigning, type SigningOptions } from '../signing.ts'
import { AuditDb } from '../sql/audit-db.ts'
import type { WitnessOptions } from './cosign.ts'
import { type Notary, NotaryRunner } from './notary.ts'

export interface NotaryOptions {
  store: EventStore
  /** The database holding the audit tables (may be the store's own). */
  db: SqlExecutor
  /** Schema of the audit tables (default `trec_audit`). */
  schema?: string
  signing: SigningOptions
  /** A checkpoint every `leaves` leaves (default 1,000), and after `seconds` (default 10) if fewer came. */
  checkpointEvery?: { leaves?: number; seconds?: number }
  /** Events per feed batch and transaction (default 1,000). */
  batchSize?: number
  clock?: () => Date
  /** Stops the notary when aborted. */
  signal?: AbortSignal
  /** Errors the notary survives: a failed batch (retried after `retryDelayMs`), an unsignable checkpoint. */
  onError?: (error: unknown) => void
  retryDelayMs?: number
  /** Runs inside each batch's transaction before it commits; throwing rolls the batch back (crash tests). */
  beforeCommit?: (batch: { from: number; to: number }) => Promise<void>
  /**
   * Witnesses (C2SP tlog-witness) the notary offers each new checkpoint to, and how many must
   * cosign it; their cosignatures are stored with the checkpoint (cosign.ts).
   */
  witnesses?: WitnessOptions
}

/**
 * Starts the notary: it creates the audit tables if needed, resumes after the last committed
 * event and follows the store's feed until `signal` aborts or `stop()` is called.
 */
export async function startNotary(options: NotaryOptions): Promise<Notary> {
  parseServiceOptions(notarySchema, options, 'notary')
  const signing = await resolveSigning(options.signing)
  const log = new AuditDb(options.db, options.schema, options.store)
  await log.migrate()
  return new NotaryRunner({
    store: options.store,
    log,
    signing,
    everyLeaves: options.checkpointEvery?.leaves ?? 1000,
    everySeconds: options.checkpointEvery?.seconds ?? 10,
    batchSize: options.batchSize ?? 1000,
    clock: options.clock ?? (() => new Date()),
    ...(options.signal ? { signal: options.signal } : {}),
    retryDelayMs: options.retryDelayMs ?? 1000,
    onError: options.onError ?? ((error) => console.error('audit notary:', error)),
    ...(options.beforeCommit ? { beforeCommit: options.beforeCommit } : {}),
    ...(options.witnesses ? { witnesses: options.witnesses } : {}),
  })
}

/** The JWKS the audit API serves for a signing configuration (its `published` set, or its keys). */
export async function publishedKeys(signing: SigningOptions): Promise<{ keys: PublishedJwk[] }> {
  if (signing.keys.length === 0 && !signing.published)
    throw new TrecError('TREC_VALIDATION', 'No keys to publish.', {
      issues: [{ path: ['signing', 'keys'], code: 'too_small', message: 'at least one key' }],
    })
  return (await resolveSigning(signing)).published.toJwks()
}
