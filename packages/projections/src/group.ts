import type { RecordedEvent, SqlExecutor } from '@trec/eventstore'
import type { ReadModel } from './read-model.ts'
import { applyTogether, type ProjectionRunner } from './runner.ts'
import type { ProjectionCheckpoint } from './types.ts'

export interface GroupHooks {
  /** Runs after each batch has committed (the detectors append the alerts it queued). */
  afterCommit?: () => Promise<void>
  /** Runs before each round of following (see `ReadModel.resume`). */
  resume?: () => Promise<void>
}

/**
 * Several projections of one database and schema as one read model: each batch is applied to
 * every one of them in one transaction, which locks and moves all their checkpoints with one
 * statement each, instead of a transaction per projection. Each still drops the events at or
 * below its own checkpoint, so projections that were at different positions converge.
 */
export class ProjectionGroup implements ReadModel {
  readonly name: string
  readonly runners: readonly ProjectionRunner[]
  readonly #db: SqlExecutor
  readonly #hooks: GroupHooks

  constructor(db: SqlExecutor, runners: readonly ProjectionRunner[], hooks: GroupHooks = {}) {
    if (new Set(runners.map((r) => r.schema)).size > 1) throw new Error('a projection group has one schema')
    this.#db = db
    this.runners = runners
    this.#hooks = hooks
    this.name = runners.map((r) => r.name).join('+')
  }

  /** Per lane, the lowest position any of the projections has reached: where following resumes. */
  async checkpoint(): Promise<ProjectionCheckpoint> {
    const points = await Promise.all(this.runners.map((r) => r.checkpoint()))
    const lanes: Record<string, string> = {}
    for (const lane of new Set(points.flatMap((p) => Object.keys(p.lanes)))) {
      let lowest: bigint | undefined
      for (const p of points) {
        const at = BigInt(p.lanes[lane] ?? '0')
        if (lowest === undefined || at < lowest) lowest = at
      }
      lanes[lane] = String(lowest ?? 0n)
    }
    return { lanes, source: points[0]?.source ?? {} }
  }

  /** Applies the batch to every projection in one transaction; returns the most any of them applied. */
  async applyBatch(
    lane: string,
    events: RecordedEvent[],
    source: Record<string, string> = {},
  ): Promise<number> {
    const counts = await this.#db.transaction((query) =>
      applyTogether(query, this.runners, lane, events, source),
    )
    await Promise.all(this.runners.map((r, i) => r.noteApplied(counts[i] ?? 0)))
    await this.#hooks.afterCommit?.()
    return Math.max(0, ...counts)
  }

  async resume(): Promise<void> {
    await this.#hooks.resume?.()
  }
}
