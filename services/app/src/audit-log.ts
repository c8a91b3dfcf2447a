import { auditService, type Notary, publishedKeys, type SigningOptions, startNotary } from '@trec/audit'
import type { EventStore, SqlExecutor } from '@trec/eventstore'
import type { Platform } from '@trec/fastify-kit'
import { type GaugeRegistry, trackMerkleTreeSize } from './metrics.ts'
import { behindHeadMs, behindJudge, type Readiness } from './readiness.ts'

export interface AuditLogOptions {
  signing: SigningOptions
  /** A signed checkpoint every `leaves` leaves, and after `seconds` if fewer came. */
  checkpointEvery?: { leaves?: number; seconds?: number }
  /** Witnesses the notary offers each checkpoint to, and how many must cosign it. */
  witnesses?: { urls: string[]; required: number }
}

/**
 * The audit service in this process: its API for auditors and, when `notarise` is set, the
 * notary that appends every stored event to the Merkle log (`startNotarising`).
 */
export async function registerAuditLog(
  app: Platform,
  parts: {
    store: EventStore
    db: SqlExecutor
    region: string
    options: AuditLogOptions
    notarise: boolean
    metrics: GaugeRegistry
    readiness: Readiness
  },
): Promise<void> {
  const { store, db, options } = parts
  await app.register(auditService, {
    store,
    db,
    origin: options.signing.origin,
    publishedKeys: await publishedKeys(options.signing),
    region: parts.region,
    ...(options.witnesses ? { witnessCosignatures: options.witnesses.required } : {}),
  })
  if (!parts.notarise) return
  const stop = await startNotarising({ ...parts, log: app.log })
  app.addHook('onClose', stop)
}

/**
 * Starts the notary (on the request thread, or on the read side's thread: read-side-thread.ts).
 * Its tree size is a metric, and the process is ready only while the notary is within a second
 * of the store's head. Returns how to stop it.
 */
export async function startNotarising(parts: {
  store: EventStore
  db: SqlExecutor
  options: AuditLogOptions
  metrics: GaugeRegistry
  readiness: Readiness
  log: { error(obj: unknown, msg: string): void }
}): Promise<() => Promise<void>> {
  const { store, options } = parts
  const notary: Notary = await startNotary({
    store,
    db: parts.db,
    signing: options.signing,
    ...(options.checkpointEvery ? { checkpointEvery: options.checkpointEvery } : {}),
    ...(options.witnesses ? { witnesses: options.witnesses } : {}),
    onError: (error) => parts.log.error({ err: error }, 'audit notary: batch failed; retrying'),
  })
  const near = behindJudge()
  const untrack = [
    trackMerkleTreeSize(parts.metrics, () => notary.status().size),
    parts.readiness.add({
      name: 'audit-notary',
      async check() {
        const { size, feedPosition } = notary.status()
        const behindMs = await behindHeadMs(store, feedPosition)
        return { ready: near(behindMs), treeSize: size, behindMs }
      },
    }),
  ]
  return async () => {
    for (const u of untrack) u()
    await notary.stop()
  }
}
