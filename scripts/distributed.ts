// `pnpm distributed`: the distributed topology of docker-compose.yml as plain processes, for a
// machine without a container engine. PostgreSQL is the one in DATABASE_URL; Kafka is the broker
// the tests use (infra/kafka: a single-node KRaft broker from the Maven jars, Java 17 needed).
//
//   DATABASE_URL=postgres://postgres@127.0.0.1:5432/trec npx pnpm@10.34.9 distributed
//
// Started in order: the broker, the one-shot preparation, then the write API (training,
// attendance, assessment, subsidy), the read API (archive, compliance; their read models kept by
// the read workers), oversight, the audit notary, the relay and two read workers. Each line of
// output is prefixed with its process's name. Ctrl-C (or SIGTERM) stops them all, last started
// first, and then the broker. TREC_BASE_PORT (default 3001) moves the ports: write API +0, read API
// +1, oversight +2, audit +3, relay +4, read workers +5 and +6.
import { type ChildProcess, spawn } from 'node:child_process'
import { once } from 'node:events'
import { join } from 'node:path'
import { createInterface } from 'node:readline'

const root = join(import.meta.dirname, '..')
const app = (file: string) => join(root, 'services/app/src', file)
const databaseUrl = process.env.DATABASE_URL
if (!databaseUrl) {
  console.error('DATABASE_URL is required: the PostgreSQL database the topology runs on')
  process.exit(2)
}
const basePort = Number(process.env.TREC_BASE_PORT ?? 3001)
const children: { name: string; child: ChildProcess }[] = []
let stopping = false

function start(name: string, args: string[], env: Record<string, string>, oneShot = false): ChildProcess {
  // Each in its own process group, so that a Ctrl-C in the terminal reaches this script only, and
  // the processes are stopped one by one in order rather than all at once.
  const child = spawn(process.execPath, args, {
    cwd: root,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  })
  for (const stream of [child.stdout!, child.stderr!])
    createInterface({ input: stream }).on('line', (line) => console.log(`${name.padEnd(13)} | ${line}`))
  child.once('exit', (code, signal) => {
    if (!stopping && !oneShot)
      console.log(`${name.padEnd(13)} | exited (${signal ?? code}); the others keep running`)
  })
  children.push({ name, child })
  return child
}

async function stopAll(): Promise<void> {
  stopping = true
  for (const { name, child } of [...children].reverse()) {
    if (child.exitCode !== null || child.signalCode !== null) continue
    console.log(`stopping ${name}`)
    child.kill('SIGTERM')
    await once(child, 'exit')
  }
}

for (const signal of ['SIGINT', 'SIGTERM'] as const)
  process.once(signal, () => {
    void stopAll().then(() => process.exit(0))
  })
// If this script ends any other way, its processes end with it.
process.once('exit', () => {
  for (const { child } of children)
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
})

// 1. The broker; its CLI prints KAFKA_BROKERS=host:port once it answers.
const kafka = start('kafka', [join(root, 'infra/kafka/src/cli.ts'), 'start', '--partitions', '12'], {})
const brokers = await new Promise<string>((resolve, reject) => {
  createInterface({ input: kafka.stdout! }).on('line', (line) => {
    const m = /^KAFKA_BROKERS=(\S+)$/.exec(line)
    if (m) resolve(m[1]!)
  })
  kafka.once('exit', () => reject(new Error('the Kafka broker did not start (see its output above)')))
})

const shared = {
  TREC_STORE: 'postgres',
  DATABASE_URL: databaseUrl,
  TREC_DATA_DIR: process.env.TREC_DATA_DIR ?? join(root, '.data/distributed'),
  KAFKA_BROKERS: brokers,
}
const port = (offset: number) => ({ TREC_PORT: String(basePort + offset) })

// 2. Schemas and (without external keys) the development secrets, once.
const prepare = start('prepare', [app('prepare.ts')], shared, true)
const [prepared] = (await once(prepare, 'exit')) as [number | null]
if (prepared !== 0) {
  console.error('the preparation failed (see its output above)')
  await stopAll()
  process.exit(1)
}

// 3. The services, the relay and the read workers.
start('write-api', [app('main.ts')], {
  ...shared,
  ...port(0),
  TREC_SERVICES: 'training,attendance,assessment,subsidy',
})
start('read-api', [app('main.ts')], {
  ...shared,
  ...port(1),
  TREC_SERVICES: 'archive,compliance',
  TREC_READ_MODELS: 'kafka',
})
start('oversight', [app('main.ts')], { ...shared, ...port(2), TREC_SERVICES: 'oversight' })
start('audit', [app('main.ts')], { ...shared, ...port(3), TREC_SERVICES: 'audit' })
start('relay', [app('relay-main.ts')], { ...shared, ...port(4) })
for (const n of [1, 2])
  start(`read-worker-${n}`, [app('read-worker-main.ts')], {
    ...shared,
    ...port(4 + n),
    TREC_SERVICES: 'archive,compliance',
  })
console.log(
  `distributed topology starting: write API on :${basePort}, read API :${basePort + 1}, oversight :${basePort + 2}, audit :${basePort + 3}, relay :${basePort + 4}, read workers :${basePort + 5} and :${basePort + 6}; Kafka at ${brokers}. Ctrl-C stops it.`,
)
