import { AccessLog } from '@trec/command'
import { clockOption, objectWith, parseServiceOptions } from '@trec/contracts'
import type { EventStore, SqlExecutor } from '@trec/eventstore'
import { cursorKeyOf } from '@trec/fastify-kit'
import { createPseudonymizer, type Pseudonymizer } from '@trec/privacy'
import { ProjectionRunner } from '@trec/projections'
import { type BackingRuleSet, type PlanTarget, quarterPattern } from '@trec/readmodels'
import { z } from 'zod'
import { complianceProjection } from './projection.ts'

export interface ComplianceServiceOptions {
  /** The event store: employment facts are appended to it. */
  store: EventStore
  /** The read model's database (where the compliance projection runs). */
  db: SqlExecutor
  /** The subsidy rule sets payments are judged by (pass the subsidy service's). */
  rules: readonly BackingRuleSet[]
  /** Plan targets per region and quarter (台账, D0 专栏1), as configured data. */
  planTargets?: readonly PlanTarget[]
  /** NOT IN SEEDS: days after completion in which employment counts (default 180). */
  employmentWindowDays?: number
  /** The projection's version (2 or more); raise it when the rules or the window change. */
  projectionVersion?: number
  /** The secret worker pseudonyms are keyed with, to accept card numbers for employment facts. */
  pseudonymSecret: string | Uint8Array
  schema?: string
  clock?: () => Date
  /** The key list cursors are tagged with (`cursorKeyOf` in @trec/fastify-kit); random when absent. */
  cursorKey?: Uint8Array
}

export interface ResolvedOptions {
  store: EventStore
  db: SqlExecutor
  planTargets: readonly PlanTarget[]
  pseudonymizer: Pseudonymizer
  clock: () => Date
  runner: ProjectionRunner
  /** Reads of a worker's payment are recorded here before they are answered. */
  accessLog: AccessLog
  cursorKey: Uint8Array
}

const planTargetSchema = z.strictObject({
  region: z.string().regex(/^\d{2}(\d{2}){0,2}$/, 'a 行政区划代码 prefix of 2, 4 or 6 digits'),
  quarter: z.string().regex(quarterPattern, 'YYYYQn'),
  personTimes: z.int().min(0),
  byGroup: z.record(z.string(), z.int().min(0)).optional(),
  byKind: z.record(z.string(), z.int().min(0)).optional(),
  source: z.string().min(1).max(1000),
})

const optionsSchema = z.object({
  store: objectWith<EventStore>('an EventStore', 'append'),
  db: objectWith<SqlExecutor>('a SqlExecutor', 'query'),
  rules: z.array(
    z.object({
      id: z.string().min(1),
      version: z.int().min(1),
      kinds: z.record(z.string(), z.unknown()),
      practice: z.object({}).loose(),
    }),
  ),
  planTargets: z.array(planTargetSchema).optional(),
  employmentWindowDays: z.int().min(1).max(3650).optional(),
  // Version 1 had no `recorded_workers`: its tables would lack the workers recorded so far.
  projectionVersion: z.int().min(2).optional(),
  pseudonymSecret: z.union([z.string(), z.instanceof(Uint8Array)]),
  schema: z.string().optional(),
  clock: clockOption(),
  cursorKey: z.instanceof(Uint8Array).optional(),
})

export function resolveOptions(options: ComplianceServiceOptions): ResolvedOptions {
  parseServiceOptions(optionsSchema, options, 'compliance service')
  const projection = complianceProjection({
    rules: options.rules,
    ...(options.employmentWindowDays === undefined
      ? {}
      : { employmentWindowDays: options.employmentWindowDays }),
    ...(options.projectionVersion === undefined ? {} : { version: options.projectionVersion }),
  })
  return {
    store: options.store,
    db: options.db,
    planTargets: options.planTargets ?? [],
    pseudonymizer: createPseudonymizer(options.pseudonymSecret),
    clock: options.clock ?? (() => new Date()),
    runner: new ProjectionRunner(options.db, projection, options.schema ? { schema: options.schema } : {}),
    accessLog: new AccessLog(options.store),
    cursorKey: options.cursorKey ?? cursorKeyOf(),
  }
}
