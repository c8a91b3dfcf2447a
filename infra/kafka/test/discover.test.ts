import { describe, expect, it } from 'vitest'
import { detectKafka } from '../src/discover.ts'
import { KafkaInfraError } from '../src/errors.ts'
import { resolveKafkaJars } from '../src/jars.ts'

describe('where a test finds Kafka', () => {
  it('uses KAFKA_BROKERS first, split on commas, and never stops a broker it did not start', async () => {
    const plan = await detectKafka({ env: { KAFKA_BROKERS: ' 10.0.0.1:9092 ,127.0.0.1:9093,' } })
    if ('skip' in plan) throw new Error(plan.skip)
    expect(plan.source).toBe('env')
    const kafka = await plan.start()
    expect(kafka.brokers).toEqual(['10.0.0.1:9092', '127.0.0.1:9093'])
    expect(kafka.restart).toBeUndefined()
    await kafka.stop()
  })

  it('skips with the reason when the local broker is forced but java is missing', async () => {
    const plan = await detectKafka({ env: { TREC_KAFKA_SOURCE: 'local', PATH: '/nonexistent' } })
    expect(plan).toEqual({ skip: 'no Kafka: java is not on PATH' })
  })

  it('skips when told to', async () => {
    expect(
      await detectKafka({ env: { TREC_KAFKA_SOURCE: 'skip', KAFKA_BROKERS: '127.0.0.1:9092' } }),
    ).toEqual({
      skip: 'TREC_KAFKA_SOURCE=skip',
    })
  })

  it('refuses a Kafka version that is not a plain release number', async () => {
    await expect(resolveKafkaJars({ version: '3.9.2/../../x', env: {} })).rejects.toThrow(KafkaInfraError)
  })
})
