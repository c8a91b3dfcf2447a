// Commands per second through HTTP, on the composed app (every write-side service in one
// process) listening on 127.0.0.1 in a child process, against PostgreSQL:
//   (a) device-signed face-check batches of 500 (POST /v1/face-check-batches, compact JWS, Ed25519);
//   (b) single commands: assessment results (POST /v1/assessment-results), one event each to a
//       worker's own stream, at concurrency 32 and 64 over keep-alive connections (node:http).
// Every request carries a real signed access token and goes through the whole platform (auth,
// zod validation, problem+json, the service's decider, the store's append).
//
//   npx pnpm@10.34.9 run bench:http [-- --batches 40 --commands 10000 --concurrency 32,64]
//
// Targets (the write-side issue): ≥ 20,000 face checks/s in batches; ≥ 2,000 single commands/s,
// on 2 cores. Client, server and PostgreSQL share the machine's cores: keep runs short.

import { type ChildProcess, spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { once } from 'node:events'
import { readFileSync } from 'node:fs'
import { Agent } from 'node:http'
import { loadavg } from 'node:os'
import { createInterface } from 'node:readline'
import { parseArgs } from 'node:util'
import { postgresForTests } from '@trec/eventstore/testing'
import { CompactSign, importJWK } from 'jose'
import pg from 'pg'
import { type Answer, sendJson } from './http-client.ts'
import type { ServerInfo } from './http-commands-server.ts'
import { httpBenchSection, writeSection } from './report.ts'

const { values: args } = parseArgs({
  options: {
    serve: { type: 'boolean', default: false },
    schema: { type: 'string', default: `bench_http_${process.pid}` },
    workers: { type: 'string', default: '50' },
    batches: { type: 'string', default: '40' },
    size: { type: 'string', default: '500' },
    'batch-concurrency': { type: 'string', default: '4' },
    commands: { type: 'string', default: '10000' },
    concurrency: { type: 'string', default: '32,64' },
    repeat: { type: 'string', default: '3' },
    'no-report': { type: 'boolean', default: false },
  },
})

const databaseUrl = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test'

interface Timed {
  seconds: number
  failed: number
  latencies: number[]
  /** CPU seconds the server process used during the run (Linux /proc), when known. */
  serverCpu?: number
}

const percentile = (sorted: number[], q: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!

/** User + system CPU seconds of a process so far, from /proc/<pid>/stat (clock ticks of 1/100 s). */
function cpuSeconds(pid: number): number | undefined {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ')
    return (Number(fields[11]) + Number(fields[12])) / 100
  } catch {
    return undefined
  }
}

/** Sends `requests` with `concurrency` loops, each awaiting its answer before the next. */
async function drive(
  pid: number,
  requests: (() => Promise<Answer>)[],
  concurrency: number,
  expected: number,
): Promise<Timed> {
  const latencies: number[] = []
  let failed = 0
  let next = 0
  const cpuBefore = cpuSeconds(pid)
  const started = performance.now()
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < requests.length) {
        const send = requests[next++]!
        const t = performance.now()
        const res = await send()
        const text = res.text
        latencies.push(performance.now() - t)
        if (res.status !== expected && ++failed === 1)
          console.error(`  first failure: ${res.status} ${text.slice(0, 300)}`)
      }
    }),
  )
  const seconds = (performance.now() - started) / 1000
  const cpuAfter = cpuSeconds(pid)
  latencies.sort((a, b) => a - b)
  return {
    seconds,
    failed,
    latencies,
    ...(cpuBefore !== undefined && cpuAfter !== undefined ? { serverCpu: cpuAfter - cpuBefore } : {}),
  }
}

async function startServer(): Promise<{ child: ChildProcess; info: ServerInfo }> {
  const child = spawn(
    process.execPath,
    // e.g. BENCH_SERVER_NODE_ARGS='--cpu-prof' to profile the server.
    [
      ...(process.env.BENCH_SERVER_NODE_ARGS ?? '').split(' ').filter(Boolean),
      import.meta.filename,
      '--serve',
      '--workers',
      args.workers!,
      '--schema',
      args.schema!,
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  )
  const lines = createInterface({ input: child.stdout! })
  const [line] = (await Promise.race([once(lines, 'line'), once(child, 'exit')])) as [unknown]
  if (typeof line !== 'string') throw new Error('the server did not start')
  return { child, info: JSON.parse(line) as ServerInfo }
}

async function signedBatches(
  info: ServerInfo,
  count: number,
  size: number,
  offset: number,
): Promise<string[]> {
  const key = await importJWK(info.deviceJwk, 'EdDSA')
  const out: string[] = []
  for (let b = 0; b < count; b++) {
    const checks = Array.from({ length: size }, (_, i) => ({
      worker: info.roster[i % info.roster.length]!,
      session: info.session,
      checkedAt: new Date(info.sessionStart + (((b + offset) * size + i) % 32_000) * 1000).toISOString(),
      purpose: 'spot',
      result: i % 37 === 0 ? 'fail' : 'pass',
      matchScore: 0.8 + (i % 20) / 100,
      liveness: { method: 'silent', score: 0.97, passed: true },
      place: { lat: 38.0428, lon: 114.5149 },
      templateHash: ((b + offset) * size + i).toString(16).padStart(64, '0'),
    }))
    const payload = { device: info.device, class: info.class, batchId: `b-${offset + b}`, checks }
    out.push(
      await new CompactSign(new TextEncoder().encode(JSON.stringify(payload)))
        .setProtectedHeader({ alg: 'EdDSA', kid: info.device })
        .sign(key),
    )
  }
  return out
}

// node:http with keep-alive rather than fetch (see http-client.ts).
const agent = new Agent({ keepAlive: true, maxSockets: 256 })
const post = (url: string, token: string, body: string) => sendJson(agent, url, 'POST', token, body)

function batchRequests(info: ServerInfo, batches: string[]) {
  return batches.map(
    (jws) => () => post(`${info.url}/v1/face-check-batches`, info.deviceToken, JSON.stringify({ jws })),
  )
}

function assessmentRequests(info: ServerInfo, count: number) {
  return Array.from({ length: count }, () => {
    const body = JSON.stringify({
      worker: randomBytes(16).toString('hex'),
      region: '130102',
      occupationCode: '6-31-01-03',
      level: 4,
      score: 78,
      passed: true,
      evaluator: { kind: 'social_evaluation_org', id: 'eval-130000-0009' },
      assessedOn: '2024-04-08',
    })
    return () => post(`${info.url}/v1/assessment-results`, info.assessorToken, body)
  })
}

const fmt = (n: number) => Math.round(n).toLocaleString('en')

/**
 * Each run starts from a clean database cache, as the store bench's cells do: a CHECKPOINT
 * (untimed) writes back what the previous run left dirty, which would otherwise be flushed, and
 * compete with this run's commits for the disk, while it is measured.
 */
async function checkpoint(): Promise<void> {
  const admin = new pg.Client({ connectionString: databaseUrl })
  await admin.connect()
  try {
    await admin.query('checkpoint')
  } finally {
    await admin.end()
  }
}

/**
 * The machine's speed drifts from minute to minute, so each workload is measured `--repeat` times
 * back to back and the run with the median rate is reported, with every run's rate beside it.
 */
async function medianRun(
  measure: () => Promise<Timed>,
  rateOf: (t: Timed) => number,
): Promise<[Timed, number[]]> {
  const runs: Timed[] = []
  for (let i = 0; i < Math.max(1, Number(args.repeat)); i++) {
    await checkpoint()
    runs.push(await measure())
  }
  const sorted = [...runs].sort((x, y) => rateOf(x) - rateOf(y))
  return [sorted[Math.floor((sorted.length - 1) / 2)]!, runs.map(rateOf)]
}
const ms = (n: number) => `${n < 10 ? n.toFixed(1) : n.toFixed(0)} ms`
const load = () =>
  loadavg()
    .map((l) => l.toFixed(2))
    .join(' / ')

async function main(): Promise<void> {
  const server = await postgresForTests()
  if ('skip' in server) {
    console.log(`http bench skipped: ${server.skip}`)
    return
  }
  const admin = new pg.Client({ connectionString: databaseUrl })
  await admin.connect()
  const settings = Object.fromEntries(
    (
      await admin.query(
        `select name, setting from pg_settings where name in ('server_version', 'synchronous_commit', 'fsync', 'shared_buffers', 'max_connections')`,
      )
    ).rows.map((r) => [r.name, r.setting]),
  )
  await admin.end()
  const loadBefore = load()
  const size = Number(args.size)
  const batches = Number(args.batches)
  const batchConcurrency = Number(args['batch-concurrency'])
  const commands = Number(args.commands)
  const concurrencies = args.concurrency!.split(',').map(Number)
  console.log(`http bench: composed app on PostgreSQL ${settings.server_version}, load ${loadBefore}`)
  const { child, info } = await startServer()
  const rows: string[][] = []
  const results: { name: string; rate: number; target: number; unit: string }[] = []
  try {
    // (a) Face-check batches: a short warm-up, then the measured batches.
    await drive(
      info.pid,
      batchRequests(info, await signedBatches(info, 4, size, 1_000_000)),
      batchConcurrency,
      201,
    )
    let offset = 0
    const [a, aRates] = await medianRun(
      async () => {
        const signed = await signedBatches(info, batches, size, offset)
        offset += batches
        return drive(info.pid, batchRequests(info, signed), batchConcurrency, 201)
      },
      (t) => ((batches - t.failed) * size) / t.seconds,
    )
    const checksPerSecond = ((batches - a.failed) * size) / a.seconds
    const line = `face-check batches of ${size}, concurrency ${batchConcurrency}`
    console.log(
      `  ${line}: ${fmt(checksPerSecond)} checks/s (${batches} batches in ${a.seconds.toFixed(2)} s, p50 ${ms(percentile(a.latencies, 0.5))}, p99 ${ms(percentile(a.latencies, 0.99))}${a.failed ? `, ${a.failed} FAILED` : ''})`,
    )
    rows.push([
      line,
      `${fmt(checksPerSecond)} checks/s (${fmt(batches / a.seconds)} batches/s)`,
      aRates.map(fmt).join(', '),
      ms(percentile(a.latencies, 0.5)),
      ms(percentile(a.latencies, 0.99)),
      a.serverCpu === undefined ? '?' : `${((a.serverCpu / (batches * size)) * 1e6).toFixed(0)} µs/check`,
      String(a.failed),
    ])
    results.push({ name: line, rate: checksPerSecond, target: 20_000, unit: 'checks/s' })

    // (b) Single commands at each concurrency, after a warm-up at that concurrency.
    const singles: { concurrency: number; rate: number }[] = []
    for (const concurrency of concurrencies) {
      await drive(info.pid, assessmentRequests(info, Math.min(500, commands)), concurrency, 201)
      const [b, bRates] = await medianRun(
        () => drive(info.pid, assessmentRequests(info, commands), concurrency, 201),
        (t) => (commands - t.failed) / t.seconds,
      )
      const rate = (commands - b.failed) / b.seconds
      const name = `assessment results (1 event each), concurrency ${concurrency}`
      console.log(
        `  ${name}: ${fmt(rate)} commands/s (${commands} in ${b.seconds.toFixed(2)} s, p50 ${ms(percentile(b.latencies, 0.5))}, p99 ${ms(percentile(b.latencies, 0.99))}, server CPU ${b.serverCpu === undefined ? '?' : ((b.serverCpu / commands) * 1e6).toFixed(0)} µs each${b.failed ? `, ${b.failed} FAILED` : ''})`,
      )
      rows.push([
        name,
        `${fmt(rate)} commands/s`,
        bRates.map(fmt).join(', '),
        ms(percentile(b.latencies, 0.5)),
        ms(percentile(b.latencies, 0.99)),
        b.serverCpu === undefined ? '?' : `${((b.serverCpu / commands) * 1e6).toFixed(0)} µs/command`,
        String(b.failed),
      ])
      singles.push({ concurrency, rate })
    }
    // The target is a throughput: the capacity, i.e. the best of the concurrencies measured. A
    // closed loop of fewer clients measures their latency (each waits for its answer) as much.
    const best = singles.reduce((a, b) => (b.rate > a.rate ? b : a))
    results.push({
      name: `single commands, capacity (best of concurrency ${concurrencies.join(', ')}: ${best.concurrency})`,
      rate: best.rate,
      target: 2_000,
      unit: 'commands/s',
    })
  } finally {
    child.kill('SIGTERM')
    await once(child, 'exit')
  }
  const loadAfter = load()
  if (args['no-report']) return
  await writeSection(
    'http-bench',
    httpBenchSection({
      loadBefore,
      loadAfter,
      settings,
      setup: [
        [
          'face-check batches',
          `${batches} batches of ${size} checks (one class of ${args.workers} enrolled workers), after 4 warm-up batches`,
        ],
        ['single commands', `${commands} per concurrency, after a warm-up of ${Math.min(500, commands)}`],
        [
          'repeats',
          `each workload measured ${args.repeat} times back to back, each run after a CHECKPOINT; the run with the median rate is shown`,
        ],
      ],
      rows,
      results,
    }),
  )
}

if (args.serve) {
  const { serve } = await import('./http-commands-server.ts')
  await serve(databaseUrl, args.schema!, Number(args.workers))
} else {
  await main()
}
