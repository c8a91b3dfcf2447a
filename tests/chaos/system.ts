import { spawn } from 'node:child_process'
import { mkdir } from 'node:fs/promises'
import { join } from 'node:path'
import { serviceNames } from '@trec/app'
import { cryptoProfile } from '@trec/core'
import { freePorts } from './ports.ts'
import { type ProcessSpec, Supervised } from './processes.ts'

// The system as a distributed deployment runs it: one process per write-side service, the read
// side (archive, compliance, oversight: projections and detectors following the store's feed) in
// one, the audit service (its API and the Merkle notary) in one when this checkout has it, and the
// relay publishing the feed to Kafka. All share one PostgreSQL and the development secrets of one
// data directory, made beforehand by the `prepare` entry point.

/** Process name → the services it runs (TREC_SERVICES); the relay runs its own entry point. */
export const layout: Record<string, readonly string[]> = {
  training: ['training'],
  attendance: ['attendance'],
  assessment: ['assessment'],
  subsidy: ['subsidy'],
  read: ['archive', 'compliance', 'oversight'],
  audit: ['audit'],
}

/** Whether this checkout's app knows the audit service (TREC_SERVICES=audit). */
export const auditAvailable = (serviceNames as readonly string[]).includes('audit')

export interface SystemOptions {
  root: string
  runDir: string
  databaseUrl: string
  kafkaBrokers: string[]
  topic: string
  /** Seconds between the audit log's signed checkpoints when it grew by less than a batch. */
  auditCheckpointSeconds: number
  log: (line: string) => void
}

export interface System {
  dataDir: string
  processes: Supervised[]
  byName: Map<string, Supervised>
  withAudit: boolean
  baseOf(process: string): string
  stop(): Promise<void>
}

/** The environment of every process: the machine's, without any trec setting, and the run's own. */
function baseEnv(own: Record<string, string>): Record<string, string> {
  const env: Record<string, string> = {}
  for (const [k, v] of Object.entries(process.env))
    if (v !== undefined && !/^(TREC_|DATABASE_URL$|KAFKA_BROKERS$|KURRENTDB_URL$)/.test(k)) env[k] = v
  return { ...env, ...own }
}

async function runToEnd(root: string, entry: string, env: Record<string, string>): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(root, entry)], {
      cwd: root,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let output = ''
    child.stdout.on('data', (c: Buffer) => {
      output += c.toString()
    })
    child.stderr.on('data', (c: Buffer) => {
      output += c.toString()
    })
    child.on('error', reject)
    child.on('exit', (code) =>
      code === 0
        ? resolve(output.trim())
        : reject(new Error(`${entry} exited ${code}:\n${output.slice(-3000)}`)),
    )
  })
}

export async function startSystem(o: SystemOptions): Promise<System> {
  const dataDir = join(o.runDir, 'data')
  const logDir = join(o.runDir, 'logs')
  await mkdir(dataDir, { recursive: true })
  await mkdir(logDir, { recursive: true })
  const common = {
    TREC_STORE: 'postgres',
    DATABASE_URL: o.databaseUrl,
    TREC_DATA_DIR: dataDir,
    TREC_HOST: '127.0.0.1',
    TREC_LOG_LEVEL: 'warn',
    // The load is one caller per role: the per-caller budget would throttle it, not the faults.
    TREC_RATE_LIMIT_MAX: '0',
    TREC_SHUTDOWN_TIMEOUT_MS: '5000',
    // The run's crypto profile (TREC_CRYPTO_PROFILE, default international): the processes must
    // hash and sign as the checks, which run here, verify.
    TREC_CRYPTO_PROFILE: cryptoProfile().name,
  }
  const withAudit = auditAvailable
  const names = Object.keys(layout).filter((n) => n !== 'audit' || withAudit)
  const prepared = names.filter((n) => n !== 'audit').flatMap((n) => layout[n]!)
  o.log(`prepare: schemas and development secrets for ${prepared.join(', ')}`)
  o.log(
    `  ${await runToEnd(o.root, 'services/app/src/prepare.ts', baseEnv({ ...common, TREC_SERVICES: prepared.join(',') }))}`,
  )

  const ports = await freePorts(names.length + 1)
  const specs: ProcessSpec[] = names.map((name, i) => ({
    name,
    entry: 'services/app/src/main.ts',
    port: ports[i]!,
    env: baseEnv({
      ...common,
      TREC_PORT: String(ports[i]),
      TREC_SERVICES: layout[name]!.join(','),
      ...(name === 'audit' ? { TREC_AUDIT_CHECKPOINT_SECONDS: String(o.auditCheckpointSeconds) } : {}),
    }),
  }))
  specs.push({
    name: 'relay',
    entry: 'services/app/src/relay-main.ts',
    port: ports[names.length]!,
    env: baseEnv({
      ...common,
      TREC_PORT: String(ports[names.length]),
      TREC_SERVICES: 'training',
      KAFKA_BROKERS: o.kafkaBrokers.join(','),
      TREC_TOPIC: o.topic,
    }),
  })
  const processes = specs.map((s) => new Supervised(s, o.root, logDir))
  const byName = new Map(processes.map((p) => [p.spec.name, p]))
  for (const p of processes) p.start()
  const ready = await Promise.all(processes.map((p) => p.waitReady(120_000)))
  const notReady = processes.filter((_, i) => !ready[i]).map((p) => p.spec.name)
  const system: System = {
    dataDir,
    processes,
    byName,
    withAudit,
    baseOf: (name) => byName.get(name)!.url,
    async stop() {
      await Promise.all(processes.map((p) => p.stop()))
    },
  }
  if (notReady.length > 0) {
    await system.stop()
    throw new Error(`not ready within 120 s: ${notReady.join(', ')} (logs in ${logDir})`)
  }
  o.log(`system: ${processes.map((p) => `${p.spec.name} :${p.spec.port}`).join(', ')}`)
  return system
}
