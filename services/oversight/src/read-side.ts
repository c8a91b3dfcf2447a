import type { EventStore, SqlExecutor } from '@trec/eventstore'
import {
  catchUp,
  type FollowOptions,
  feedPosition,
  follow,
  ProjectionGroup,
  ProjectionRunner,
  storeFeedSource,
} from '@trec/projections'
import { detectorProjection } from './detectors/detector-projection.ts'
import { DetectorRunner } from './detectors/detector-runner.ts'
import { alertsProjection } from './read/alerts-projection.ts'
import { caseworkProjection } from './read/casework-projection.ts'
import { registryProjection } from './read/registry-projection.ts'
import { supervisionProjection } from './read/supervision-projection.ts'
import { fraudRules } from './rules/index.ts'
import { loadRuleBook, type RuleBook, type RuleId, ruleIds } from './rules/parameters.ts'

export interface ReadSideOptions {
  store: EventStore
  /** The database of the read models (the store's own in embedded mode). */
  db: SqlExecutor
  /** The rule book (default: the shipped `rules/fraud-rules.json`). */
  rules?: RuleBook
  /** Only these rules (default: every implemented rule). */
  enabled?: readonly RuleId[]
  /** Schema of the read-model tables (default `trec_read`). */
  schema?: string
  /**
   * Events read and applied per transaction (default 20,000). Most of a batch's cost is per slot
   * of rule state and per row it touches, each written once per batch however many of the batch's
   * events changed it: a worker's attendance or a device's checks are rewritten once per batch
   * that brings one of theirs, so catching up in large batches writes each far fewer times. Live,
   * a batch is what has arrived since the last, so this only bounds a catch-up's transactions.
   */
  batchSize?: number
}

/**
 * Every projection of the oversight read side, fed from one read of the store's feed and
 * applied as one group (one transaction per batch): a detector per fraud rule, the registry,
 * the alerts and the case work. After each batch commits, the detectors append the alerts it
 * queued. The group is a `ReadModel`, so any source of @trec/projections (Kafka too) can feed it.
 */
export class OversightReadSide {
  readonly store: EventStore
  readonly db: SqlExecutor
  readonly rules: RuleBook
  readonly detectors: DetectorRunner[]
  readonly registry: ProjectionRunner
  readonly alerts: ProjectionRunner
  readonly casework: ProjectionRunner
  /** Commitments, annual reports and inspections, 双随机 results and their publication. */
  readonly supervision: ProjectionRunner
  /** Every runner below, applied together. */
  readonly group: ProjectionGroup
  readonly #batchSize: number

  constructor(options: ReadSideOptions) {
    this.store = options.store
    this.db = options.db
    this.rules = options.rules ?? loadRuleBook()
    this.#batchSize = options.batchSize ?? 20000
    const runnerOptions = options.schema ? { schema: options.schema } : {}
    const enabled = options.enabled ?? ruleIds
    this.detectors = enabled.map(
      (id) =>
        new DetectorRunner(
          this.db,
          this.store,
          detectorProjection(fraudRules[id] as never, this.rules[id] as never),
          runnerOptions,
        ),
    )
    this.registry = new ProjectionRunner(this.db, registryProjection(), runnerOptions)
    this.alerts = new ProjectionRunner(this.db, alertsProjection(), runnerOptions)
    this.casework = new ProjectionRunner(this.db, caseworkProjection(), runnerOptions)
    this.supervision = new ProjectionRunner(this.db, supervisionProjection(), runnerOptions)
    const flush = () => this.#flush()
    this.group = new ProjectionGroup(this.db, this.runners, { afterCommit: flush, resume: flush })
  }

  get runners(): ProjectionRunner[] {
    return [...this.detectors, this.registry, this.alerts, this.casework, this.supervision]
  }

  /** Creates every table and checkpoint and makes these versions the active ones. */
  async setup(): Promise<void> {
    for (const runner of this.runners) {
      await runner.setup()
      await runner.activate()
    }
    // Alerts queued by a run that stopped between its commit and its append.
    await this.#flush()
  }

  /** The feed position every runner has reached: where following resumes. */
  lowestPosition(): Promise<bigint> {
    return feedPosition(this.group)
  }

  /**
   * Applies everything in the feed, including the alerts the detectors append on the way, and
   * returns when no projection is behind the head. Returns the number of events read.
   */
  catchUp(onProgress?: (read: number) => void): Promise<number> {
    return catchUp(this.store, this.group, {
      batchSize: this.#batchSize,
      ...(onProgress ? { onProgress } : {}),
    })
  }

  /**
   * Follows the feed live until `signal` aborts. A failed round (the database restarting, a
   * connection reset) goes to `onError`, and the read side resumes from its checkpoints after
   * `retryMs`, first appending the alerts a batch committed but could not append.
   */
  follow(signal: AbortSignal, options: Omit<FollowOptions, 'signal'> = {}): Promise<void> {
    return follow(storeFeedSource(this.store, { batchSize: this.#batchSize }), this.group, {
      ...options,
      signal,
    })
  }

  async #flush(): Promise<void> {
    for (const detector of this.detectors) await detector.flush()
  }
}
