import { archiveProjection } from '@trec/archive'
import { complianceProjection } from '@trec/compliance'
import type { EventStore, SqlExecutor } from '@trec/eventstore'
import { OversightReadSide, type RuleId } from '@trec/oversight'
import {
  catchUp as catchUpGroup,
  type Projection,
  ProjectionGroup,
  ProjectionRunner,
  rebuild,
} from '@trec/projections'
import { defaultRulesDir, loadRuleSets } from '@trec/subsidy'
import type pg from 'pg'
import { dropSchemas, schemaBytes } from './disk.ts'
import { progress } from './progress.ts'

export interface ProjectionFigures {
  name: string
  /** Events read from the feed. */
  events: number
  ms: number
  /** Of the oversight read side: the time each of its projections spent applying batches. */
  parts?: { name: string; applyMs: number }[]
  /** Alerts the detectors appended to the store on the way. */
  alerts?: number
  /** Its tables' bytes on disk (with indexes) once caught up. */
  bytes: number
}

/** One projection rebuilt from zero (`rebuild`: feed batches of 1,000, one transaction each), as the app's. */
async function catchUp(
  name: string,
  db: SqlExecutor,
  store: EventStore,
  projection: Projection,
  schema: string,
  total: number,
): Promise<ProjectionFigures> {
  const bar = progress(`projection ${name}`)
  let events = 0
  const started = performance.now()
  await rebuild(db, store, projection, {
    schema,
    onProgress: (applied) => {
      events = applied
      bar.update(applied, total)
    },
  })
  const ms = performance.now() - started
  bar.finish()
  return { name, events, ms, bytes: 0 }
}

/**
 * Several projections from zero in one group, as the app runs its projections: one read of the
 * feed (batches of 1,000), every projection applying each batch in one transaction, each stored
 * event decoded once for all of them.
 */
async function together(
  name: string,
  db: SqlExecutor,
  store: EventStore,
  projections: Projection[],
  schema: string,
  total: number,
): Promise<ProjectionFigures> {
  const runners = projections.map((p) => new ProjectionRunner(db, p, { schema }))
  for (const runner of runners) await runner.setup()
  const bar = progress(`projections ${name}`)
  const started = performance.now()
  const events = await catchUpGroup(store, new ProjectionGroup(db, runners), {
    batchSize: 1000,
    onProgress: (read) => bar.update(read, total),
  })
  const ms = performance.now() - started
  bar.finish()
  return { name, events, ms, bytes: 0 }
}

/** Times every batch a runner's projection applies into `into.applyMs`. */
function timed(runner: ProjectionRunner, into: { applyMs: number }): void {
  // The projection's own `apply`: a group applies its runners' projections directly, never
  // through each runner's `applyBatch`.
  const apply = runner.projection.apply.bind(runner.projection)
  runner.projection.apply = async (...args) => {
    const started = performance.now()
    try {
      return await apply(...args)
    } finally {
      into.applyMs += performance.now() - started
    }
  }
}

/**
 * The oversight read side from zero, as the app runs it: one read of the feed (batches of 20,000)
 * applied to every fraud detector, the registry, the alerts and the case work; the detectors'
 * alerts are appended to the store and read in turn.
 */
async function oversight(
  db: SqlExecutor,
  store: EventStore,
  schema: string,
  total: number,
): Promise<ProjectionFigures> {
  // SCALE_OVERSIGHT_RULES=R4,R7 runs only those detectors ('' none): what each rule costs.
  const rules = process.env.SCALE_OVERSIGHT_RULES?.split(',').filter(Boolean) as RuleId[] | undefined
  const side = new OversightReadSide({ store, db, schema, ...(rules ? { enabled: rules } : {}) })
  await side.setup()
  const parts = side.runners.map((runner) => {
    const part = { name: runner.projection.name, applyMs: 0 }
    timed(runner, part)
    return part
  })
  const bar = progress(`oversight read side (${parts.length} projections)`)
  const started = performance.now()
  const events = await side.catchUp((read) => bar.update(read, total))
  const ms = performance.now() - started
  bar.finish()
  return { name: 'oversight', events, ms, parts, alerts: Math.max(0, events - total), bytes: 0 }
}

/**
 * The app's projections, each caught up from zero over the whole store, one after another, each
 * in a schema of its own (`schemaOf(name)`): measured once caught up, then dropped unless `keep`,
 * so the disk holds the store and one read model at a time.
 */
export async function projectionStages(input: {
  db: SqlExecutor
  pool: pg.Pool
  store: EventStore
  schemaOf: (name: string) => string
  total: number
  keep: boolean
  /** Only this stage (default: every one). */
  only?: string
}): Promise<ProjectionFigures[]> {
  const { db, pool, store, schemaOf, total } = input
  const rules = loadRuleSets(defaultRulesDir)
  const stages: [string, (schema: string) => Promise<ProjectionFigures>][] = [
    ['archive', (schema) => catchUp('archive', db, store, archiveProjection, schema, total)],
    [
      'compliance',
      (schema) => catchUp('compliance', db, store, complianceProjection({ rules }), schema, total),
    ],
    ['oversight', (schema) => oversight(db, store, schema, total)],
    // Not in the default run: archive and compliance as the app runs them, in one group.
    [
      'archive+compliance',
      (schema) =>
        together(
          'archive+compliance',
          db,
          store,
          [archiveProjection, complianceProjection({ rules })],
          schema,
          total,
        ),
    ],
  ]
  const out: ProjectionFigures[] = []
  for (const [name, run] of stages) {
    if (input.only === undefined ? name.includes('+') : name !== input.only) continue
    const schema = schemaOf(name)
    const figures = await run(schema)
    figures.bytes = await schemaBytes(pool, schema)
    if (!input.keep) await dropSchemas(pool, [schema])
    out.push(figures)
  }
  return out
}
