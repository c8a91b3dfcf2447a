import { AccessLog } from '@trec/command'
import { clockOption, objectWith, parseServiceOptions, regionCodeSchema } from '@trec/contracts'
import type { EventStore, SqlExecutor } from '@trec/eventstore'
import { cursorKeyOf } from '@trec/fastify-kit'
import { createPseudonymizer, type Pseudonymizer } from '@trec/privacy'
import { ProjectionRunner } from '@trec/projections'
import { z } from 'zod'
import { ArchiveLookups, type ReadThenAppend } from './archive-lookups.ts'
import { ArchiveReads } from './archive-reads.ts'
import { objectionsProjection } from './objections-projection.ts'
import { archiveProjection } from './projection.ts'

/** The source on the access events the archive appends. */
export const accessSource = 'trec.archive'

export interface ArchiveOptions {
  /** The event store: access events are appended to it and the access log read from it. */
  store: EventStore
  /** The read model's database (where the archive projection runs). */
  db: SqlExecutor
  /**
   * The event store itself (not a decorator of it), given only when it keeps its tables in the
   * read model's database (the PostgreSQL or embedded SQL store beside the read model): a lookup
   * then reads the archive and appends its access event in one statement (archive-lookups.ts).
   */
  readThenAppend?: ReadThenAppend
  /** The secret worker pseudonyms are keyed with (the training service's, so they match). */
  pseudonymSecret: string | Uint8Array
  /** The six-digit region code put on access events' envelopes (the deployment's province or city). */
  region: string
  /** The read model's schema (default `trec_read`, as the projection runner's). */
  schema?: string
  clock?: () => Date
  /** The key list cursors are tagged with (`cursorKeyOf` in @trec/fastify-kit); random when absent. */
  cursorKey?: Uint8Array
}

export interface ResolvedOptions {
  store: EventStore
  db: SqlExecutor
  pseudonymizer: Pseudonymizer
  region: string
  clock: () => Date
  accessLog: AccessLog
  /** The archive projection's tables, for reading. */
  runner: ProjectionRunner
  /** Current archives, read in shared batches. */
  reads: ArchiveReads
  /** Current archives read and their reads logged, in one statement where the store allows. */
  lookups: ArchiveLookups
  /** The objections list's tables (`objectionsProjection`, kept by whoever keeps the archive). */
  objections: ProjectionRunner
  cursorKey: Uint8Array
}

const optionsSchema = z.object({
  store: objectWith<EventStore>('an EventStore', 'appendMany'),
  db: objectWith<SqlExecutor>('a SqlExecutor', 'query'),
  readThenAppend: objectWith<ReadThenAppend>(
    'an event store with appendAfterRead',
    'appendAfterRead',
  ).optional(),
  pseudonymSecret: z.union([z.string(), z.instanceof(Uint8Array)]),
  region: regionCodeSchema,
  cursorKey: z.instanceof(Uint8Array).optional(),
  schema: z.string().optional(),
  clock: clockOption(),
})

export function resolveOptions(options: ArchiveOptions): ResolvedOptions {
  parseServiceOptions(optionsSchema, options, 'archive service')
  const runner = new ProjectionRunner(
    options.db,
    archiveProjection,
    options.schema ? { schema: options.schema } : {},
  )
  const accessLog = new AccessLog(options.store)
  const reads = new ArchiveReads(options.db.query, () => runner.table('archives'))
  return {
    store: options.store,
    db: options.db,
    pseudonymizer: createPseudonymizer(options.pseudonymSecret),
    region: options.region,
    clock: options.clock ?? (() => new Date()),
    accessLog,
    runner,
    reads,
    lookups: new ArchiveLookups(reads, accessLog, () => runner.table('archives'), options.readThenAppend),
    objections: new ProjectionRunner(
      options.db,
      objectionsProjection,
      options.schema ? { schema: options.schema } : {},
    ),
    cursorKey: options.cursorKey ?? cursorKeyOf(),
  }
}
