import { randomUUID } from 'node:crypto'
import { type Admin, Kafka, logLevel, type Producer } from 'kafkajs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { detectKafka, type KafkaForTests, kafkaForTests } from '../src/index.ts'

// kafkajs 2.x prints a notice about its default partitioner change on every producer.
process.env.KAFKAJS_NO_PARTITIONER_WARNING = '1'

const plan = await detectKafka()
const suite = 'skip' in plan ? describe.skip : describe
const suiteName =
  'skip' in plan ? `Kafka broker (skipped: ${plan.skip})` : `Kafka broker via ${plan.description}`

const keyCount = 16
const keyOf = (seq: number): string => `key-${seq % keyCount}`

interface Received {
  partition: number
  offset: bigint
  key: string
  seq: number
}

suite(suiteName, () => {
  let kafka: KafkaForTests
  let client: Kafka
  let admin: Admin
  let producer: Producer
  const topic = `trec-infra-kafka-${randomUUID()}`
  const firstGroup = `trec-infra-kafka-${randomUUID()}`

  beforeAll(async () => {
    // The first local run resolves the broker jars with Maven here, hence the long hook timeout.
    const found = await kafkaForTests()
    if ('skip' in found) throw new Error(`Kafka vanished between detection and start: ${found.skip}`)
    kafka = found
    client = new Kafka({
      clientId: 'trec-infra-kafka-test',
      brokers: kafka.brokers,
      logLevel: logLevel.NOTHING,
    })
    admin = client.admin()
    await admin.connect()
    await admin.createTopics({ topics: [{ topic, numPartitions: 3 }], waitForLeaders: true })
    // Idempotent: the broker de-duplicates retried batches by producer id and sequence, so a retry
    // (across the restart below, say) can neither duplicate nor reorder a partition's messages.
    producer = client.producer({ idempotent: true, maxInFlightRequests: 1 })
    await producer.connect()
  }, 600_000)

  afterAll(async () => {
    await producer?.disconnect().catch(() => undefined)
    await admin?.disconnect().catch(() => undefined)
    await kafka?.stop()
  }, 60_000)

  async function produce(from: number, count: number): Promise<void> {
    for (let start = from; start < from + count; start += 100) {
      const seqs = Array.from({ length: Math.min(100, from + count - start) }, (_, i) => start + i)
      await producer.send({
        topic,
        acks: -1,
        messages: seqs.map((seq) => ({ key: keyOf(seq), value: JSON.stringify({ seq }) })),
      })
    }
  }

  async function consume(groupId: string, expected: number, timeoutMs = 60_000): Promise<Received[]> {
    const consumer = client.consumer({ groupId, maxWaitTimeInMs: 200 })
    const received: Received[] = []
    await consumer.connect()
    try {
      await consumer.subscribe({ topic, fromBeginning: true })
      await consumer.run({
        eachMessage: async ({ partition, message }) => {
          const value = JSON.parse(message.value?.toString() ?? 'null') as { seq: number }
          received.push({
            partition,
            offset: BigInt(message.offset),
            key: message.key?.toString() ?? '',
            seq: value.seq,
          })
        },
      })
      const deadline = Date.now() + timeoutMs
      while (received.length < expected && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100))
      // A short extra wait, so that a surplus (duplicates) would be seen too.
      await new Promise((r) => setTimeout(r, 500))
    } finally {
      await consumer.disconnect()
    }
    return received
  }

  function expectInOrderWithKeys(received: Received[], seqs: number[]): void {
    expect(received.map((m) => m.seq).sort((a, b) => a - b)).toEqual(seqs)
    const partitionOfKey = new Map<string, number>()
    const byPartition = new Map<number, Received[]>()
    for (const message of received) {
      expect(message.key).toBe(keyOf(message.seq))
      // The key decides the partition: one key never lands on two partitions.
      expect(partitionOfKey.get(message.key) ?? message.partition).toBe(message.partition)
      partitionOfKey.set(message.key, message.partition)
      byPartition.set(message.partition, [...(byPartition.get(message.partition) ?? []), message])
    }
    expect(byPartition.size).toBeGreaterThan(1)
    for (const messages of byPartition.values()) {
      for (let i = 1; i < messages.length; i++) {
        const [previous, current] = [messages[i - 1]!, messages[i]!]
        expect(current.offset).toBeGreaterThan(previous.offset)
        // Sends were sequential, so within a partition the produce order is the sequence order.
        expect(current.seq).toBeGreaterThan(previous.seq)
      }
    }
  }

  const range = (from: number, count: number): number[] => Array.from({ length: count }, (_, i) => from + i)

  it('gives a consumer group back all 1,000 messages of an idempotent producer, in order per partition, with their keys', async () => {
    await produce(0, 1000)
    const received = await consume(firstGroup, 1000)
    expect(received).toHaveLength(1000)
    expectInOrderWithKeys(received, range(0, 1000))
  }, 120_000)

  it('keeps messages and committed offsets across a clean restart and takes new ones', async (ctx) => {
    if (!kafka.restart)
      ctx.skip(`restart is only possible on the local broker, not on source ${kafka.source}`)
    await kafka.restart!()
    // The producer stays connected through the restart and reconnects by itself.
    await produce(1000, 100)
    // The first group's committed offsets survived: it resumes with exactly the new messages.
    const resumed = await consume(firstGroup, 100)
    expect(resumed.map((m) => m.seq).sort((a, b) => a - b)).toEqual(range(1000, 100))
    const fresh = await consume(`trec-infra-kafka-${randomUUID()}`, 1100)
    expect(fresh).toHaveLength(1100)
    expectInOrderWithKeys(fresh, range(0, 1100))
  }, 180_000)

  it('keeps acknowledged messages across a crash (SIGKILL) restart', async (ctx) => {
    if (!kafka.restart)
      ctx.skip(`restart is only possible on the local broker, not on source ${kafka.source}`)
    const pidBefore = kafka.broker!.pid
    await kafka.restart!({ signal: 'SIGKILL' })
    expect(kafka.broker!.pid).not.toBe(pidBefore)
    await produce(1100, 100)
    const fresh = await consume(`trec-infra-kafka-${randomUUID()}`, 1200)
    expect(fresh).toHaveLength(1200)
    expectInOrderWithKeys(fresh, range(0, 1200))
  }, 180_000)
})
