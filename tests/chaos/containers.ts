// `pnpm chaos:containers`: the distributed deployment as containers of the built image (one per
// service, the relay and the one-shot preparation, as docker-compose.yml lays them out), under the
// chaos run's load, with a random container killed (SIGKILL) and started again every few seconds;
// then the chaos run's checks. Needs the image (infra/containers/Dockerfile), a container CLI
// (docker or podman), PostgreSQL at DATABASE_URL (a fresh database is made on that server) and
// Java for the Kafka broker (or KAFKA_BROKERS). The containers use the host network, so they
// reach PostgreSQL and Kafka on loopback, and serve on ports 4001–4009.
//
//   pnpm chaos:containers [--image trec:dev] [--cli docker] [--minutes 2] [--kill-every 8]
//   TREC_CONTAINER_RUN_ARGS: extra `run` arguments, e.g. `--ulimit nofile=20000:20000` where the
//   runtime may not raise limits.
import { execFile } from 'node:child_process'
import { randomUUID } from 'node:crypto'
import { parseArgs, promisify } from 'node:util'
import { pgExecutor, SqlEventStore } from '@trec/eventstore/postgres'
import { startKafkaBroker } from '@trec/infra-kafka'
import pg from 'pg'
import { waitCaughtUp } from './catch-up.ts'
import { runChecks } from './checks.ts'
import { chaosLoad } from './load.ts'
import { answersReady } from './processes.ts'
import { people } from './requests.ts'
import { layout } from './system.ts'

const { values } = parseArgs({
  args: process.argv.slice(2).filter((a) => a !== '--'),
  options: {
    image: { type: 'string', default: 'trec:dev' },
    cli: { type: 'string', default: 'docker' },
    minutes: { type: 'string', default: '2' },
    'kill-every': { type: 'string', default: '8' },
  },
})
const run = promisify(execFile)
const cli = (...args: string[]) => run(values.cli!, args, { maxBuffer: 1 << 24 })
const started = Date.now()
const log = (line: string) =>
  console.log(`[${((Date.now() - started) / 1000).toFixed(0).padStart(4)} s] ${line}`)
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

// Each service alone in its container, as in docker-compose.yml (the chaos run groups the read side).
const services = Object.values(layout).flat()
const containers = [...services, 'relay']
const base = (name: string) => `http://127.0.0.1:${4001 + containers.indexOf(name)}`
const tag = randomUUID().slice(0, 8)
const server = new URL(process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres')
const database = `trec_containers_${tag}`
const databaseUrl = Object.assign(new URL(server.href), { pathname: `/${database}` }).href
const volume = `trec-chaos-${tag}`
const topic = 'trec.events'
const name = (service: string) => `trec-chaos-${tag}-${service}`
const extra = (process.env.TREC_CONTAINER_RUN_ARGS ?? '').split(' ').filter(Boolean)

const admin = new pg.Pool({ connectionString: server.href, max: 1 })
await admin.query(`create database ${database}`)
const broker = process.env.KAFKA_BROKERS
  ? { brokers: process.env.KAFKA_BROKERS.split(','), stop: async () => undefined }
  : await startKafkaBroker({ log })
const containerRun = (service: string, env: Record<string, string>, command: string[], detach: boolean) =>
  cli(
    'run',
    ...(detach ? ['-d'] : ['--rm']),
    '--name',
    name(service),
    '--network',
    'host',
    '-v',
    `${volume}:/var/lib/trec`,
    ...extra,
    ...Object.entries({
      TREC_STORE: 'postgres',
      DATABASE_URL: databaseUrl,
      TREC_DATA_DIR: '/var/lib/trec',
      TREC_HOST: '127.0.0.1',
      TREC_PORT: new URL(base(service)).port,
      TREC_AUDIT_CHECKPOINT_SECONDS: '2',
      ...env,
    }).flatMap(([k, v]) => ['-e', `${k}=${v}`]),
    values.image!,
    ...command,
  )
let ok = false
try {
  log(`preparing ${database} and the data volume ${volume} (image ${values.image})`)
  await containerRun('prepare', {}, ['node', 'services/app/src/prepare.ts'], false)
  for (const service of services)
    await containerRun(service, { TREC_SERVICES: service }, ['node', 'services/app/src/main.ts'], true)
  await containerRun(
    'relay',
    { KAFKA_BROKERS: broker.brokers.join(','), TREC_TOPIC: topic, TREC_TOPIC_PARTITIONS: '3' },
    ['node', 'services/app/src/relay-main.ts'],
    true,
  )
  const ready = async (service: string) => {
    for (const deadline = Date.now() + 120_000; Date.now() < deadline; await sleep(500))
      if (await answersReady(base(service))) return
    throw new Error(`${name(service)} was not ready within 120 s`)
  }
  await Promise.all(containers.map(ready))
  log(`${containers.length} containers ready: ${containers.map((s) => `${s} ${base(s)}`).join(', ')}`)

  const mount = (await cli('volume', 'inspect', volume, '--format', '{{.Mountpoint}}')).stdout.trim()
  const windowMs = Number(values.minutes) * 60_000
  const { client, load, newClassesUntil } = await chaosLoad(mount, base, 6, windowMs)
  await load.setup()
  const t = Date.now()
  const endAt = t + windowMs
  let kills = 0
  const killing = (async () => {
    while (Date.now() < endAt - 15_000) {
      await sleep(Number(values['kill-every']) * 1000)
      const victim = containers[Math.floor(Math.random() * containers.length)]!
      await cli('kill', '-s', 'KILL', name(victim))
      await sleep(300 + Math.random() * 3000)
      await cli('start', name(victim))
      kills += 1
      const acked = client.ledger.filter((r) => r.outcome === 'acknowledged').length
      log(`  killed -9 and started again: ${victim}; commands ${client.ledger.length}, acknowledged ${acked}`)
    }
  })()
  await Promise.all([load.run(newClassesUntil(t), endAt), killing])
  log(`load over: ${client.ledger.length} commands, ${kills} containers killed`)
  await Promise.all(containers.map(ready))
  const pool = new pg.Pool({ connectionString: databaseUrl, max: 8 })
  try {
    const store = new SqlEventStore(pgExecutor(pool))
    const catchUp = await waitCaughtUp(pool, store, { topic, withAudit: true, timeoutMs: 180_000, log })
    log(catchUp.detail)
    const { checks } = await runChecks({
      pool,
      store,
      ledger: client.ledger,
      audit: { base: base('audit'), token: await client.token(people.auditor) },
      kafka: { brokers: broker.brokers, topic },
      log,
    })
    ok = catchUp.ok && checks.every((c) => c.ok)
    log(`${ok ? 'PASS' : 'FAIL'}: ${checks.filter((c) => c.ok).length} of ${checks.length} checks`)
  } finally {
    await pool.end()
  }
} finally {
  await cli('rm', '-f', ...containers.map(name)).catch(() => undefined)
  await cli('volume', 'rm', '-f', volume).catch(() => undefined)
  await broker.stop()
  await admin.query(`drop database if exists ${database} with (force)`).catch(() => undefined)
  await admin.end()
}
process.exit(ok ? 0 : 1)
