import type { EventStore } from '@trec/eventstore'
import { writeEvents } from '@trec/generator'
import type { ScaleOptions } from './options.ts'
import { progress } from './progress.ts'
import { provinceShards } from './shards.ts'

export interface ProvinceFigures {
  shards: number
  institutions: number
  classes: number
  workers: number
  enrolments: number
  events: number
  injected: number
  /** Building the shards in memory (generation), ms. */
  generateMs: number
  /** Appending them to the store (writeEvents), ms. */
  appendMs: number
}

/**
 * Builds the province shard by shard and appends each to `store` with the generator's own
 * `writeEvents` (appendMany calls of `batchSize` events, one transaction each, one writer, in
 * feed order). Generation and appending alternate and are timed apart.
 */
export async function storeProvince(store: EventStore, o: ScaleOptions): Promise<ProvinceFigures> {
  const f: ProvinceFigures = {
    shards: 0,
    institutions: 0,
    classes: 0,
    workers: 0,
    enrolments: 0,
    events: 0,
    injected: 0,
    generateMs: 0,
    appendMs: 0,
  }
  const bar = progress('province: generate + append')
  let built = performance.now()
  for await (const shard of provinceShards(o)) {
    f.generateMs += performance.now() - built
    f.shards += 1
    f.institutions += shard.counts.institutions
    f.classes += shard.counts.classes
    f.workers += shard.counts.workers
    f.enrolments += shard.counts.enrolments
    f.injected += shard.injected
    // The total is known only as far as the shards so far tell: the larger of the targets.
    const perInstitution = (f.events + shard.events.length) / f.institutions
    const total = Math.max(
      o.events,
      Math.round(o.institutions * perInstitution),
      f.events + shard.events.length,
    )
    const started = performance.now()
    const before = f.events
    await writeEvents(store, shard.events, {
      batchSize: o.batchSize,
      onProgress: (written) => bar.update(before + written, total, `(shard ${shard.index + 1})`),
    })
    f.appendMs += performance.now() - started
    f.events += shard.events.length
    built = performance.now()
  }
  bar.finish(
    `(${f.shards} shard${f.shards === 1 ? '' : 's'}; generation ${(f.generateMs / 1000).toFixed(1)} s, append ${(f.appendMs / 1000).toFixed(1)} s)`,
  )
  return f
}
