// The same command mix against the embedded store (PGlite) and PostgreSQL, interleaved in one run
// (issue 28): the app as `npm start` runs it (services/app/src/main.ts, every service, read
// models, detectors and the audit notary in one process), 8 clients each sending, one after the
// other, an enrolment with its 实名认证 record and an assessment result, every command with an
// Idempotency-Key and a signed token. Reports acknowledged commands per second in the window,
// latency, the server's CPU, and the ratio embedded/PostgreSQL of each round.
//
//   pnpm bench:modes [-- --seconds 20 --rounds 2 --clients 8 --profile --no-report]
//
// --profile adds one embedded run under `node --cpu-prof` and reports where its time went.

import { mkdir, mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { postgresForTests } from '@trec/eventstore/testing'
import pg from 'pg'
import { chaosLoadClient } from '../chaos/load.ts'
import { freePorts } from '../chaos/ports.ts'
import { Supervised } from '../chaos/processes.ts'
import {
  application,
  assessmentResult,
  designation,
  enrolment,
  occupations,
  people,
  programme,
  schedule,
} from '../chaos/requests.ts'
import { type ProfileSummary, summariseDir } from './cpu-profile.ts'
import { type DbThreadUse, dbThreadUse, readDbStats } from './db-thread-stats.ts'
import { mainThreadCpu, processCpu } from './mixed-traffic-cpu.ts'
import { loadAverage as load, writeSection } from './report.ts'

const { values: args } = parseArgs({
  args: process.argv.slice(2).filter((a) => a !== '--'),
  options: {
    seconds: { type: 'string', default: '20' },
    warmup: { type: 'string', default: '3' },
    rounds: { type: 'string', default: '2' },
    clients: { type: 'string', default: '8' },
    modes: { type: 'string', default: 'pglite,postgres' },
    profile: { type: 'boolean', default: false },
    'no-report': { type: 'boolean', default: false },
  },
})
const seconds = Number(args.seconds)
const warmup = Number(args.warmup)
const clients = Number(args.clients)
const root = join(import.meta.dirname, '../..')

type Mode = 'pglite' | 'postgres'

interface RunResult {
  mode: Mode
  round: number
  perSecond: number
  acknowledged: number
  failed: number
  p50: number
  p99: number
  /** Server CPU seconds per second of the window (1 = one core busy). */
  cpu: number
  /** The same, of the server's main thread alone (HTTP, commands, read side; the rest is PGlite's thread and Node's own). */
  mainCpu: number
  profile?: ProfileSummary
  /** The embedded database thread's statements and CPU in the window, per command. */
  db?: DbThreadUse
}

const percentile = (sorted: number[], q: number) =>
  sorted.length === 0 ? 0 : sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!

async function withDatabase<T>(mode: Mode, fn: (env: Record<string, string>) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), 'trec-modes-'))
  if (mode === 'pglite') {
    try {
      return await fn({ TREC_STORE: 'pglite', TREC_DATA_DIR: dir })
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  }
  const found = await postgresForTests()
  if ('skip' in found) throw new Error(found.skip)
  const name = `bench_modes_${process.pid}_${Date.now()}`
  const admin = new pg.Client({ connectionString: found.url })
  await admin.connect()
  await admin.query(`create database ${name}`)
  const url = new URL(found.url)
  url.pathname = `/${name}`
  try {
    return await fn({ TREC_STORE: 'postgres', DATABASE_URL: url.toString(), TREC_DATA_DIR: dir })
  } finally {
    await admin.query(`drop database if exists ${name} with (force)`).catch(() => undefined)
    await admin.end()
    await rm(dir, { recursive: true, force: true })
  }
}

async function runOnce(mode: Mode, round: number, profile: boolean): Promise<RunResult> {
  return withDatabase(mode, async (storeEnv) => {
    const [port] = await freePorts(1)
    const profileDir = join(storeEnv.TREC_DATA_DIR!, 'profile')
    if (profile) await mkdir(profileDir)
    const env: Record<string, string> = {
      ...(process.env as Record<string, string>),
      ...storeEnv,
      TREC_PORT: String(port),
      TREC_LOG_LEVEL: 'warn',
      TREC_RATE_LIMIT_MAX: '0',
      ...(profile ? { NODE_OPTIONS: `--cpu-prof --cpu-prof-dir=${profileDir}` } : {}),
    }
    const statsFile = join(storeEnv.TREC_DATA_DIR!, 'db-stats.json')
    if (mode === 'pglite') env.TREC_DB_STATS = statsFile
    const logDir = join(storeEnv.TREC_DATA_DIR!, 'logs')
    await mkdir(logDir)
    const server = new Supervised(
      { name: 'app', entry: 'services/app/src/main.ts', port: port!, env },
      root,
      logDir,
    )
    server.start()
    try {
      if (!(await server.waitReady(120_000))) throw new Error(`${mode}: not ready within 120 s`)
      const client = await chaosLoadClient(storeEnv.TREC_DATA_DIR!, () => server.url, 10_000)
      // The record the commands need: an institution, a programme, a class open for enrolment.
      const now = Date.now()
      const institution = 'inst-130100-9001'
      const occupation = occupations[0]
      const staff = people.staff(institution)
      const ack = async (...a: Parameters<typeof client.command>) => {
        const r = await client.command(...a)
        if (r.outcome !== 'acknowledged') throw new Error(`${a[0]}: ${r.status} ${JSON.stringify(r.answer)}`)
        return r.answer
      }
      await ack('designate', 'app', '/v1/institutions', people.admin, designation(institution, now))
      const { programme: programmeId } = await ack(
        'publish',
        'app',
        '/v1/programmes',
        people.officer,
        programme(occupation, now),
      )
      const classes: string[] = []
      for (let i = 0; i < clients; i++) {
        const body = {
          ...application(institution, programmeId, schedule(now, 3_600_000, 3_600_000)),
          capacity: 10_000,
        }
        const { class: id } = await ack('apply', 'app', '/v1/classes', staff, body)
        await ack('review', 'app', `/v1/classes/${id}/review`, people.officer, { outcome: 'passed' })
        await ack('open', 'app', `/v1/classes/${id}/opening`, staff, {})
        classes.push(id)
      }
      client.ledger.length = 0

      const start = Date.now()
      const windowFrom = start + warmup * 1000
      const end = windowFrom + seconds * 1000
      let person = 0
      let cpuFrom = 0
      let mainFrom = 0
      let statsFrom = readDbStats(statsFile)
      setTimeout(() => {
        cpuFrom = processCpu(server.pid!)
        mainFrom = mainThreadCpu(server.pid!)
        statsFrom = readDbStats(statsFile)
      }, warmup * 1000)
      await Promise.all(
        classes.map(async (cls) => {
          while (Date.now() < end) {
            const enrolled = await client.command(
              'enrol',
              'app',
              `/v1/classes/${cls}/enrolments`,
              staff,
              enrolment(person++, cls, Date.now()),
            )
            if (enrolled.outcome !== 'acknowledged' || Date.now() >= end) continue
            await client.command(
              'assess',
              'app',
              '/v1/assessment-results',
              people.assessor,
              assessmentResult(enrolled.answer.worker, cls, occupation, Date.now()),
            )
          }
        }),
      )
      // The thread writes its figures twice a second: wait for the ones after the window.
      await new Promise((r) => setTimeout(r, 600))
      const statsTo = readDbStats(statsFile)
      const elapsed = (Date.now() - windowFrom) / 1000
      const cpu = (processCpu(server.pid!) - cpuFrom) / elapsed
      const mainCpu = (mainThreadCpu(server.pid!) - mainFrom) / elapsed
      const inWindow = client.ledger.filter((r) => r.doneAt >= windowFrom && r.doneAt <= end)
      const acknowledged = inWindow.filter((r) => r.outcome === 'acknowledged')
      const latencies = acknowledged.map((r) => r.doneAt - r.sentAt).sort((a, b) => a - b)
      const result: RunResult = {
        mode,
        round,
        perSecond: acknowledged.length / seconds,
        acknowledged: acknowledged.length,
        failed: inWindow.length - acknowledged.length,
        p50: percentile(latencies, 0.5),
        p99: percentile(latencies, 0.99),
        cpu,
        mainCpu,
      }
      if (statsFrom && statsTo) result.db = dbThreadUse(statsFrom, statsTo, acknowledged.length)
      await server.stop()
      if (profile) {
        const summary = await summariseDir(profileDir)
        if (summary) result.profile = summary
      }
      return result
    } finally {
      await server.stop()
    }
  })
}

function dbLines(db: DbThreadUse): string[] {
  return [
    `database thread: ${db.statements.toFixed(1)} requests/command${db.messages === undefined ? '' : ` in ${db.messages.toFixed(1)} messages`}, ${db.cpuMs.toFixed(2)} ms CPU/command (${db.protocolMs.toFixed(2)} ms inside PGlite's protocol run)`,
    ...db.top.map(
      ([key, n, ms, rows]) =>
        `${n.toFixed(2)}/command, ${ms.toFixed(3)} ms/command, ${rows.toFixed(1)} rows each: \`${key}\``,
    ),
  ]
}

const msPerCommand = (r: RunResult) => (r.perSecond ? ((r.cpu * 1000) / r.perSecond).toFixed(1) : 'n/a')
const pct = (x: number) => `${(x * 100).toFixed(1)} %`

function section(results: RunResult[], conditions: string[]): string[] {
  const measured = results.filter((r) => !r.profile)
  const rows = measured.map(
    (r) =>
      `| ${r.round} | ${r.mode === 'pglite' ? 'embedded (PGlite)' : 'PostgreSQL'} | ${r.perSecond.toFixed(0)} | ${r.p50} | ${r.p99} | ${r.cpu.toFixed(2)} | ${r.mainCpu.toFixed(2)} | ${msPerCommand(r)} | ${r.failed} |`,
  )
  const ratios = [...new Set(measured.map((r) => r.round))].flatMap((round) => {
    const e = measured.find((r) => r.round === round && r.mode === 'pglite')
    const p = measured.find((r) => r.round === round && r.mode === 'postgres')
    return e && p ? [`round ${round}: ${(e.perSecond / p.perSecond).toFixed(2)}`] : []
  })
  const profiled = results.find((r) => r.profile)
  const traced = measured.filter((r) => r.db)
  return [
    '## Embedded store against PostgreSQL: the same command mix',
    '',
    `The app as \`npm start\` runs it (every service, the read models, fraud detectors and the audit`,
    `notary in one process), ${clients} clients each sending an enrolment (with its 实名认证 record) and`,
    'then an assessment result for the worker just enrolled, one command at a time, each with an',
    'Idempotency-Key and a signed token (fetch). The embedded and PostgreSQL runs alternate in one run,',
    'each on a fresh store; the machine is shared, so compare the ratio of each round.',
    '',
    'Reproduce: `pnpm bench:modes` (`-- --seconds 20 --rounds 2 --clients 8 --profile`).',
    '',
    ...conditions,
    '',
    '| round | store | commands/s | p50 ms | p99 ms | server CPU (cores) | of it main thread | CPU ms/command | failed |',
    '| ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...rows,
    '',
    `Embedded / PostgreSQL: ${ratios.join(', ') || 'n/a'}.`,
    ...traced.flatMap((r) => [
      '',
      `Embedded database thread, round ${r.round} (per acknowledged command; requests = statements, begin and end of a transaction):`,
      '',
      ...dbLines(r.db!).map((l) => `- ${l}`),
    ]),
    ...(profiled?.profile
      ? [
          '',
          `CPU profile of one more embedded run (\`--cpu-prof\`, ${profiled.perSecond.toFixed(0)} commands/s while profiled, ${profiled.profile.samples} samples, setup and shutdown included). Self time by package:`,
          '',
          ...profiled.profile.packages.map(([p, s]) => `- ${p}: ${pct(s)}`),
          '',
          'Top functions by self time:',
          '',
          ...profiled.profile.functions.map(([f, s]) => `- \`${f}\`: ${pct(s)}`),
        ]
      : []),
  ]
}

const modes = args.modes.split(',') as Mode[]
const results: RunResult[] = []
const loadBefore = load()
for (let round = 1; round <= Number(args.rounds); round++)
  for (const mode of modes) {
    console.log(`round ${round}: ${mode} ...`)
    const r = await runOnce(mode, round, false)
    console.log(
      `  ${r.perSecond.toFixed(0)} commands/s, p50 ${r.p50} ms, p99 ${r.p99} ms, CPU ${r.cpu.toFixed(2)} (main thread ${r.mainCpu.toFixed(2)}), ${msPerCommand(r)} ms CPU/command, failed ${r.failed}`,
    )
    results.push(r)
    if (r.db) for (const line of dbLines(r.db)) console.log(`  ${line}`)
  }
if (args.profile) {
  console.log('profiled embedded run ...')
  const r = await runOnce('pglite', 0, true)
  console.log(`  ${r.perSecond.toFixed(0)} commands/s under the profiler`)
  results.push(r)
  for (const [p, s] of r.profile?.packages ?? []) console.log(`  ${pct(s)}  ${p}`)
  for (const [f, s] of r.profile?.functions ?? []) console.log(`  ${pct(s)}  ${f}`)
}
const conditions = [
  `Run ${new Date().toISOString()}; load average (1/5/15 min) ${loadBefore} before, ${load()} after;`,
  `window ${seconds} s after ${warmup} s of warm-up; client, server and PostgreSQL share the machine's cores.`,
]
if (!args['no-report']) await writeSection('store-modes', section(results, conditions))
