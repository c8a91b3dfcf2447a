import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { cpus, tmpdir } from 'node:os'
import { join } from 'node:path'
import { pgExecutor, SqlEventStore } from '@trec/eventstore/postgres'
import { type KafkaBroker, startKafkaBroker } from '@trec/infra-kafka'
import pg from 'pg'
import { waitCaughtUp } from './catch-up.ts'
import { type CheckResult, type Findings, runChecks } from './checks.ts'
import type { CommandRecord } from './client.ts'
import { FaultInjector, type FaultRecord } from './faults.ts'
import { chaosLoad, type LoadStats } from './load.ts'
import { type ChaosPostgres, startPostgres } from './postgres-cluster.ts'
import type { ProcessStats } from './processes.ts'
import { people } from './requests.ts'
import { type System, startSystem } from './system.ts'

// One bounded fault-injection run on loopback: its own PostgreSQL and Kafka, the services as
// separate processes, steady load with retries under one Idempotency-Key per command, faults
// meanwhile, then the checks once everything has caught up. Everything it starts, it stops.

export interface ChaosOptions {
  /** Length of the fault window, minutes (the load runs over it). */
  minutes: number
  kills: number
  brokerRestarts: number
  postgresRestarts: number
  lanes: number
  /** Keep the run directory (process logs, data dir) even when every check passes. */
  keepLogs: boolean
  log: (line: string) => void
}

export interface ChaosResult {
  ok: boolean
  startedAt: string
  options: Omit<ChaosOptions, 'log'> & { existingPostgres: boolean }
  environment: { postgres: string; kafka: string; node: string; cpus: number; audit: boolean }
  skipped: string[]
  faults: FaultRecord[]
  processes: ProcessStats[]
  ledger: CommandRecord[]
  load: LoadStats
  catchUp: { ok: boolean; detail: string }
  checks: CheckResult[]
  findings: Findings
  events: number
  durations: Record<string, number>
  runDir: string
}

const topic = 'trec.events'

export async function runChaos(options: ChaosOptions): Promise<ChaosResult> {
  const { log } = options
  const started = Date.now()
  const durations: Record<string, number> = {}
  const lap = (name: string, since: number) => {
    durations[name] = Date.now() - since
  }
  const root = join(import.meta.dirname, '../..')
  const runDir = await mkdtemp(join(tmpdir(), 'trec-chaos-'))
  const skipped: string[] = []
  let postgres: ChaosPostgres | undefined
  let broker: KafkaBroker | undefined
  let system: System | undefined
  let pool: pg.Pool | undefined
  let ok = false
  const stopSignals = () => {
    log('chaos: interrupted; stopping what the run started')
    void cleanup().finally(() => process.exit(130))
  }
  const cleanup = async () => {
    await system?.stop().catch(() => undefined)
    await pool?.end().catch(() => undefined)
    await broker?.stop().catch(() => undefined)
    await postgres?.stop().catch(() => undefined)
  }
  process.once('SIGINT', stopSignals)
  process.once('SIGTERM', stopSignals)
  try {
    let t = Date.now()
    log('chaos: starting PostgreSQL and Kafka')
    ;[postgres, broker] = await Promise.all([startPostgres(log), startKafkaBroker({ log })])
    if (postgres.restartSkipped) skipped.push(`PostgreSQL restart: ${postgres.restartSkipped}`)
    log(`  postgres: ${postgres.description}`)
    log(`  kafka: ${broker.version} on ${broker.brokers.join(',')}`)
    lap('infrastructure', t)

    t = Date.now()
    system = await startSystem({
      root,
      runDir,
      databaseUrl: postgres.url,
      kafkaBrokers: broker.brokers,
      topic,
      auditCheckpointSeconds: 2,
      log,
    })
    if (!system.withAudit)
      skipped.push(
        'audit: this checkout’s app has no `audit` service yet, so no notary ran and the Merkle check was skipped',
      )
    lap('services', t)

    const windowMs = Math.round(options.minutes * 60_000)
    const {
      client,
      load,
      newClassesUntil: classesUntil,
    } = await chaosLoad(system.dataDir, system.baseOf, options.lanes, windowMs)
    t = Date.now()
    await load.setup()
    lap('load setup', t)

    t = Date.now()
    const endAt = t + windowMs
    const newClassesUntil = classesUntil(t)
    const faults = new FaultInjector(
      {
        kills: options.kills,
        brokerRestarts: options.brokerRestarts,
        postgresRestarts: postgres.restartSkipped ? 0 : options.postgresRestarts,
        restartDelayMs: [300, 4000],
      },
      {
        processes: system.processes,
        restartBroker: () => broker!.restart({ signal: 'SIGKILL' }),
        ...(postgres.restartSkipped ? {} : { restartPostgres: () => postgres!.restart('immediate') }),
        log,
      },
    )
    log(
      `chaos: ${options.minutes} min of load over ${options.lanes} lanes with ${options.kills} kills, ${options.brokerRestarts} broker and ${postgres.restartSkipped ? 0 : options.postgresRestarts} PostgreSQL restarts`,
    )
    const progress = setInterval(() => {
      const acked = client.ledger.filter((r) => r.outcome === 'acknowledged').length
      const retried = client.ledger.filter((r) => r.retries > 0).length
      const down = system!.processes.filter((p) => !p.running).map((p) => p.spec.name)
      log(
        `  ${((Date.now() - t) / 1000).toFixed(0).padStart(4)} s  commands ${client.ledger.length} sent, ${acked} acknowledged, ${retried} retried, ${client.inFlight} in flight | faults ${faults.records.length}${down.length ? ` | down: ${down.join(', ')}` : ''}`,
      )
    }, 10_000)
    try {
      await Promise.all([load.run(newClassesUntil, endAt), faults.run(endAt)])
    } finally {
      clearInterval(progress)
    }
    lap('fault window and load', t)

    t = Date.now()
    log('chaos: faults over; waiting for every process and follower to catch up')
    for (const p of system.processes) p.start()
    await Promise.all(system.processes.map((p) => p.waitReady(120_000)))
    pool = new pg.Pool({ connectionString: postgres.url, max: 8, application_name: 'trec-chaos-check' })
    pool.on('error', () => undefined)
    const store = new SqlEventStore(pgExecutor(pool))
    const catchUp = await waitCaughtUp(pool, store, {
      topic,
      withAudit: system.withAudit,
      timeoutMs: 180_000,
      log,
    })
    log(`  ${catchUp.detail}`)
    lap('catch-up', t)

    t = Date.now()
    log('chaos: checks')
    const { checks, findings, events } = await runChecks({
      pool,
      store,
      ledger: client.ledger,
      ...(system.withAudit
        ? { audit: { base: system.baseOf('audit'), token: await client.token(people.auditor) } }
        : {}),
      kafka: { brokers: broker.brokers, topic },
      log,
    })
    lap('checks', t)
    // The ledger beside the process logs (kept when a check fails, or with --keep-logs).
    await writeFile(
      join(runDir, 'ledger.ndjson'),
      client.ledger
        .map((r) =>
          JSON.stringify({
            seq: r.seq,
            label: r.label,
            key: r.key,
            caller: r.caller,
            outcome: r.outcome,
            status: r.status,
            code: r.code,
            ids: r.ids,
            revision: r.answer?.revision,
            streams: r.answer?.streams,
            attempts: r.attempts,
            retryCauses: r.retryCauses,
            uncertain: r.uncertain,
            replayed: r.replayed,
          }),
        )
        .join('\n'),
    )
    ok = catchUp.ok && checks.every((c) => c.ok)
    durations.total = Date.now() - started
    return {
      ok,
      startedAt: new Date(started).toISOString(),
      options: {
        minutes: options.minutes,
        kills: options.kills,
        brokerRestarts: options.brokerRestarts,
        postgresRestarts: options.postgresRestarts,
        lanes: options.lanes,
        keepLogs: options.keepLogs,
        existingPostgres: process.env.TREC_CHAOS_POSTGRES === 'existing',
      },
      environment: {
        postgres: postgres.description.replace(/ \(\/[^)]*\)/, '').replace(/ on 127\.0\.0\.1:\d+/, ''),
        kafka: `Apache Kafka ${broker.version}, single-node KRaft (@trec/infra-kafka)`,
        node: process.version,
        cpus: cpus().length,
        audit: system.withAudit,
      },
      skipped,
      faults: faults.records,
      processes: system.processes.map((p) => p.stats),
      ledger: client.ledger,
      load: load.stats,
      catchUp,
      checks,
      findings,
      events,
      durations,
      runDir,
    }
  } finally {
    process.off('SIGINT', stopSignals)
    process.off('SIGTERM', stopSignals)
    log('chaos: stopping the system, Kafka and PostgreSQL')
    await cleanup()
    if (ok && !options.keepLogs) await rm(runDir, { recursive: true, force: true })
    else log(`chaos: process logs are in ${runDir}`)
  }
}
