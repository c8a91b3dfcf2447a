import type { SqlExecutor } from '@trec/eventstore'
import { feedLane, type ProjectionRunner } from '@trec/projections'
import { regionPrefix } from '../routes/common.ts'
import { canonicalPopulation } from './recompute-sample.ts'

export interface PopulationSpec {
  kind: 'institutions' | 'classes'
  region: string
  from: string
  to: string
}

/**
 * The population of a sampling run, from the registry: the institutions designated (定点) at
 * some time in the period and not delisted before it began, or the classes opened whose planned
 * dates overlap the period, in the region's 行政区划代码 prefix. Returns the ids in canonical order
 * and the feed position the registry had reached, so the population can be rebuilt from the log.
 */
export async function readPopulation(db: SqlExecutor, registry: ProjectionRunner, spec: PopulationSpec) {
  const prefix = regionPrefix(spec.region)
  const rows =
    spec.kind === 'institutions'
      ? await db.query<{ id: string }>(
          `select id from ${registry.table('institutions')}
           where region like $1 || '%' and designated_from <= $3 and (delisted_from is null or delisted_from > $2)`,
          [prefix, spec.from, spec.to],
        )
      : await db.query<{ id: string }>(
          `select id from ${registry.table('classes')}
           where region like $1 || '%' and opened_event is not null and planned_start <= $3 and planned_end >= $2`,
          [prefix, spec.from, spec.to],
        )
  const { lanes } = await registry.checkpoint()
  return { ids: canonicalPopulation(rows.map((r) => r.id)), asOfPosition: lanes[feedLane] ?? '0' }
}
