import type { Platform } from '@trec/fastify-kit'
import { type NotaryOptions, startNotary } from './notary/start.ts'
import { type AuditOptions, resolveAuditOptions } from './options.ts'
import { checkpointListRoutes } from './routes/checkpoint-list.ts'
import { checkpointRoutes } from './routes/checkpoints.ts'
import { exportRoutes } from './routes/exports.ts'
import { keyRoutes } from './routes/keys.ts'
import { proofRoutes } from './routes/proofs.ts'
import { tileRoutes } from './routes/tiles.ts'
import { AuditDb } from './sql/audit-db.ts'

export { leafText } from './leaf.ts'
export type { Notary, NotaryStatus } from './notary/notary.ts'
export { publishedKeys } from './notary/start.ts'
export type { AuditOptions } from './options.ts'
export type { SigningKeyConfig, SigningOptions } from './signing.ts'
export type { StoredCheckpoint } from './sql/audit-db.ts'
export type { NotaryOptions }
export { startNotary }

/**
 * The audit read side: signed checkpoints, inclusion and consistency proofs, and NDJSON exports
 * with proofs, over the Merkle log the notary (`startNotary`) keeps. Register it on a platform
 * (`buildPlatform`) without a prefix: its routes are under `/v1/audit/`.
 */
export async function auditService(app: Platform, options: AuditOptions): Promise<void> {
  const resolved = await resolveAuditOptions(options)
  await resolved.log.migrate()
  keyRoutes(app, resolved)
  checkpointRoutes(app, resolved)
  checkpointListRoutes(app, resolved)
  proofRoutes(app, resolved)
  exportRoutes(app, resolved)
  tileRoutes(app, resolved)
}

/**
 * Creates the audit tables ahead of time (both entry points also do it when they start). Pass
 * the store the log is over: whether it can look events up by id decides the log's indexes.
 */
export async function migrateAudit(
  db: AuditOptions['db'],
  store: AuditOptions['store'],
  schema?: string,
): Promise<void> {
  await new AuditDb(db, schema, store).migrate()
}
