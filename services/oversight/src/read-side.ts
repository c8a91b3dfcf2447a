import type { EventStore, SqlExecutor } from '@trec/eventstore'
import { feedLane, ProjectionRunner } from '@trec/projections'
import { detectorProjection } from './detectors/detector-projection.ts'
import { DetectorRunner } from './detectors/detector-runner.ts'
import { alertsProjection } from './read/alerts-projection.ts'
import { caseworkProjection } from './read/casework-projection.ts'
import { registryProjection } from './read/registry-projection.ts'
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
  batchSize?: number
}

/**
 * Every projection of the oversight read side, fed from one read of the store's feed: a
 * detector per fraud rule, the registry, the alerts and the case work. In distributed mode each
 * runner can instead be fed by its own source (Kafka); they are ordinary `ProjectionRunner`s.
 */
export class OversightReadSide {
  readonly store: EventStore
  readonly db: SqlExecutor
  readonly rules: RuleBook
  readonly detectors: DetectorRunner[]
  readonly registry: ProjectionRunner
  readonly alerts: ProjectionRunner
  readonly casework: ProjectionRunner
  readonly #batchSize: number

  constructor(options: ReadSideOptions) {
    this.store = options.store
    this.db = options.db
    this.rules = options.rules ?? loadRuleBook()
    this.#batchSize = options.batchSize ?? 2000
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
  }

  get runners(): ProjectionRunner[] {
    return [...this.detectors, this.registry, this.alerts, this.casework]
  }

  /** Creates every table and checkpoint and makes these versions the active ones. */
  async setup(): Promise<void> {
    for (const runner of this.runners) {
      await runner.setup()
      await runner.activate()
    }
    // Alerts queued by a run that stopped between its commit and its append.
    for (const detector of this.detectors) await detector.flush()
  }

  /** The feed position every runner has reached: where following resumes. */
  async lowestPosition(): Promise<bigint> {
    let lowest: bigint | undefined
    for (const runner of this.runners) {
      const { lanes } = await runner.checkpoint()
      const at = BigInt(lanes[feedLane] ?? '0')
      if (lowest === undefined || at < lowest) lowest = at
    }
    return lowest ?? 0n
  }

  async #applyToAll(events: Parameters<ProjectionRunner['applyBatch']>[1]): Promise<void> {
    for (const runner of this.runners) await runner.applyBatch(feedLane, events)
  }

  /**
   * Applies everything in the feed, including the alerts the detectors append on the way, and
   * returns when no projection is behind the head. Returns the number of events read.
   */
  async catchUp(onProgress?: (read: number) => void): Promise<number> {
    let after = await this.lowestPosition()
    let read = 0
    for (;;) {
      const events = await this.store.readAll({ after, maxCount: this.#batchSize })
      if (events.length === 0) return read
      await this.#applyToAll(events)
      read += events.length
      after = events[events.length - 1]!.position
      onProgress?.(read)
    }
  }

  /** Follows the feed live until `signal` aborts. */
  async follow(signal: AbortSignal, onCaughtUp?: () => void): Promise<void> {
    const after = await this.lowestPosition()
    try {
      for await (const batch of this.store.subscribe({ after, signal, batchSize: this.#batchSize })) {
        if (batch.events.length > 0) await this.#applyToAll(batch.events)
        if (batch.caughtUp) onCaughtUp?.()
      }
    } catch (error) {
      if (!signal.aborted) throw error
    }
  }
}
