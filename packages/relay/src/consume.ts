import type { ProjectionSource, ReadModel } from '@trec/projections'
import type { Consumer } from 'kafkajs'
import { fromMessage } from './message.ts'

export interface KafkaProjectionOptions {
  consumer: Consumer
  topic: string
  /** A projection's runner, or a group of them applied in one transaction. */
  runner: ReadModel
  onApplied?: (info: { partition: number; applied: number; received: number }) => void
}

/**
 * Distributed mode: feeds a projection from a Kafka consumer group. Each partition is a lane:
 * the relay publishes in global order and keys each worker to one partition, so positions
 * rise within a partition, and an event at or below its lane's checkpoint is a redelivery
 * (a relay retry or an offset commit lost in a crash) and is dropped. The read-model rows and
 * the lane checkpoint commit in one transaction; the Kafka offset is committed after it, and
 * losing that commit only causes a harmless redelivery.
 */
export async function runFromKafka(options: KafkaProjectionOptions): Promise<void> {
  const { consumer, topic, runner } = options
  await consumer.subscribe({ topic, fromBeginning: true })
  await consumer.run({
    autoCommit: false,
    eachBatchAutoResolve: false,
    eachBatch: async ({ batch, heartbeat, isRunning, isStale, resolveOffset }) => {
      if (!isRunning() || isStale() || batch.messages.length === 0) return
      const events = batch.messages.flatMap((m) => (m.value ? [fromMessage(m.value)] : []))
      const last = batch.messages[batch.messages.length - 1]!.offset
      const applied = await runner.applyBatch(`${topic}:${batch.partition}`, events, {
        [`${topic}:${batch.partition}`]: last,
      })
      // Move this consumer's fetch position past the batch, then record it in the group.
      resolveOffset(last)
      await consumer.commitOffsets([
        { topic, partition: batch.partition, offset: (BigInt(last) + 1n).toString() },
      ])
      await heartbeat()
      options.onApplied?.({ partition: batch.partition, applied, received: events.length })
    },
  })
}

/**
 * The Kafka side of the one projection-source interface: a consumer group member that feeds the
 * read model until the signal aborts, then leaves the group. If the consumer crashes for good
 * (kafkajs gives up restarting it), `run` rejects, so the caller can start a new member.
 */
export function kafkaSource(consumer: Consumer, topic: string): ProjectionSource {
  return {
    async run(runner, { signal }) {
      const crashed = Promise.withResolvers<void>()
      // Handled here too: a crash before the race below starts must not be an unhandled rejection.
      crashed.promise.catch(() => undefined)
      const off = consumer.on(consumer.events.CRASH, ({ payload }) => {
        if (!payload.restart) crashed.reject(payload.error)
      })
      try {
        await consumer.connect()
        await runFromKafka({ consumer, topic, runner })
        await Promise.race([
          crashed.promise,
          new Promise<void>((resolve) => {
            if (signal.aborted) resolve()
            else signal.addEventListener('abort', () => resolve(), { once: true })
          }),
        ])
      } finally {
        off()
        await consumer.disconnect()
      }
    },
  }
}
