import { existsSync } from 'node:fs'
import { createServer } from 'node:net'
import { describe, expect, it } from 'vitest'
import { detectKafka, KafkaInfraError, startKafkaBroker } from '../src/index.ts'

// Only the local broker has a start-up to fail; detection decides without starting anything.
const plan = await detectKafka({ env: { ...process.env, TREC_KAFKA_SOURCE: 'local' } })
const suite = 'skip' in plan ? describe.skip : describe
const suiteName =
  'skip' in plan ? `local Kafka start-up failure (skipped: ${plan.skip})` : 'local Kafka start-up failure'

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}

suite(suiteName, () => {
  it('fails fast with the broker log tail when its port is taken, leaving no JVM or temp dir behind', async () => {
    const squatter = createServer()
    await new Promise<void>((resolve) => squatter.listen(0, '127.0.0.1', resolve))
    const address = squatter.address()
    if (address === null || typeof address === 'string') throw new Error('no port')
    const started = Date.now()
    try {
      const error: unknown = await startKafkaBroker({ port: address.port, startTimeoutMs: 90_000 }).then(
        () => undefined,
        (e: unknown) => e,
      )
      expect(error).toBeInstanceOf(KafkaInfraError)
      const failure = error as KafkaInfraError
      expect(failure.message).toMatch(/exited during start-up/)
      expect(failure.message).toMatch(/Address already in use/)
      expect(Date.now() - started).toBeLessThan(60_000)
      expect(existsSync(String(failure.details.dir))).toBe(false)
    } finally {
      squatter.close()
    }
  }, 600_000)

  it('stop() ends the JVM and removes its directory', async () => {
    const broker = await startKafkaBroker()
    const { pid, dir } = broker
    expect(isRunning(pid)).toBe(true)
    await broker.stop()
    expect(isRunning(pid)).toBe(false)
    expect(existsSync(dir)).toBe(false)
    await broker.stop()
  }, 600_000)
})
