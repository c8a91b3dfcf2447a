// The fault-injection run (`pnpm chaos`), short: a minute of load with five SIGKILLs of service
// processes, a broker restart and a PostgreSQL restart, then every check. Skipped, with the
// reason, when this machine cannot run a Kafka broker or reach any PostgreSQL.
import { detectKafka } from '@trec/infra-kafka'
import { describe, expect, it } from 'vitest'
import { runChaos } from './chaos.ts'
import { postgresAvailable } from './postgres-cluster.ts'

const kafka = await detectKafka({ env: { ...process.env, TREC_KAFKA_SOURCE: 'local' } })
const postgres = await postgresAvailable()
const skip = 'skip' in kafka ? kafka.skip : postgres.skip
const suite = skip ? describe.skip : describe

suite(skip ? `fault injection, short (skipped: ${skip})` : 'fault injection, short', () => {
  it('loses no acknowledged command, does nothing twice, and every follower equals the feed', {
    timeout: 900_000,
  }, async () => {
    const lines: string[] = []
    const result = await runChaos({
      minutes: 1,
      kills: 5,
      brokerRestarts: 1,
      postgresRestarts: 1,
      lanes: 3,
      keepLogs: false,
      log: (line) => lines.push(line),
    })
    const failed = [
      ...(result.catchUp.ok ? [] : [`caught up: ${result.catchUp.detail}`]),
      ...result.checks.filter((c) => !c.ok).map((c) => `${c.name}: ${c.detail}`),
    ]
    expect(failed, lines.slice(-40).join('\n')).toEqual([])
    expect(result.faults.filter((f) => f.kind === 'kill -9').length).toBe(5)
    expect(result.ledger.filter((c) => c.outcome === 'acknowledged').length).toBeGreaterThan(100)
  })
})
