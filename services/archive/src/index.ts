import type { Platform } from '@trec/fastify-kit'
import { type ArchiveOptions, resolveOptions } from './options.ts'
import { accessLogLookupRoute, accessLogRoute } from './routes/access-log.ts'
import { lookupRoute } from './routes/lookup.ts'
import { objectionRoutes } from './routes/objections.ts'
import { ownRecordRoutes } from './routes/own-record.ts'

export { AccessLog, readAccessLog } from '@trec/command'
export type { ReadThenAppend } from './archive-lookups.ts'
export { ArchiveReads } from './archive-reads.ts'
export { objectionsProjection } from './objections-projection.ts'
export type { ArchiveOptions } from './options.ts'
export { accessSource } from './options.ts'
export { archiveProjection, loadFacts, readArchive, readArchiveAsOf } from './projection.ts'
export { lookupPurposes } from './purposes.ts'

/**
 * The lifelong archive for social-security-card services, as a fastify plugin:
 * `POST /v1/archive/lookup` (card_service, investigator) and `GET /v1/archive/access-log`
 * (auditor). It reads the `archiveProjection` read model, which the caller runs (a
 * `ProjectionRunner` fed by `storeFeedSource` or `kafkaSource`); this plugin creates its tables if
 * they are missing, so reads never fail on a fresh database.
 * `await app.register(archiveService, { store, db, pseudonymSecret, region })`.
 */
export async function archiveService(app: Platform, options: ArchiveOptions): Promise<void> {
  const resolved = resolveOptions(options)
  await resolved.runner.setup()
  await resolved.objections.setup()
  lookupRoute(app, resolved)
  accessLogRoute(app, resolved)
  accessLogLookupRoute(app, resolved)
  ownRecordRoutes(app, resolved)
  objectionRoutes(app, resolved)
}
