import type { RecordedEvent } from '@trec/eventstore'
import type { ProjectionCheckpoint } from './types.ts'

/**
 * Anything that follows the feed, as the one runner (`follow`) drives it: a projection's runner,
 * a group of them sharing a transaction, the audit notary, the Kafka relay. The runner reads a
 * source from the model's checkpoint on and hands it each batch; the model applies the events
 * above its checkpoint and moves the checkpoint with them, so a redelivered batch changes nothing.
 */
export interface ReadModel {
  readonly name: string
  /** Where the model has got to: the last position applied per lane, and the source's resume data. */
  checkpoint(): Promise<ProjectionCheckpoint>
  /** Applies the events of `lane` above its checkpoint; returns how many it applied. */
  applyBatch(lane: string, events: RecordedEvent[], source?: Record<string, string>): Promise<number>
  /**
   * Called before each round of following (the first, and each after a failure), with a function
   * that ends the round with an error: a model whose writes finish after `applyBatch` returns
   * (the notary's pipelined batches) reports a late failure with it, even while the feed is idle.
   */
  resume?(fail: (error: unknown) => void): Promise<void>
  /** Called once the runner has stopped following, to settle work still in flight. */
  settle?(): Promise<void>
}
