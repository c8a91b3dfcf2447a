// Face checks and online-learning segments per second through HTTP: signed batches of 500 face
// checks (POST /v1/face-check-batches) and of 500 learning segments (POST
// /v1/online-learning-batches), each kind in turn, posted to the attendance
// service listening on 127.0.0.1, on the embedded store (PGlite) and, when a PostgreSQL server
// answers (DATABASE_URL, else 127.0.0.1:5432 db `test`), on PostgreSQL. The server runs in a
// child process so the client's signing and HTTP work do not share its thread.
//
//   npx pnpm@10.34.9 exec node services/attendance/bench/face-checks.bench.ts [--batches 60] [--workers 50]
//     [--concurrency 4] [--stores pglite,postgres,discard] [--kinds face,online]
//
// Beside each rate: CPU time per record (user + system, from /proc), the figure that means
// something on a shared machine: the server process's, on PostgreSQL that of the store's own
// backends (found by the application name the server gives its connections), and the load
// generator's (this process); and the load average before and after. Client, server and
// PostgreSQL share the cores, so their sum per record is what sets the rate.
// `discard` answers the appends without writing: what the service costs apart from the store.
//
// The target (the issues): ≥ 20,000 face checks/s and ≥ 20,000 segment records/s on 2 cores. Keep runs short on a shared machine.

import { type ChildProcess, spawn } from 'node:child_process'
import { once } from 'node:events'
import { loadavg } from 'node:os'
import { createInterface } from 'node:readline'
import { parseArgs } from 'node:util'
import { CompactSign, importJWK, type JWK } from 'jose'
import pg from 'pg'
import { LeanHttpClient } from '../../../tests/bench/lean-http.ts'
import { processCpu } from '../../../tests/bench/mixed-traffic-cpu.ts'
import type { StoreKind } from './face-checks-server.ts'

const { values: args } = parseArgs({
  options: {
    serve: { type: 'string' },
    schema: { type: 'string' },
    batches: { type: 'string', default: '60' },
    workers: { type: 'string', default: '50' },
    concurrency: { type: 'string', default: '4' },
    size: { type: 'string', default: '500' },
    stores: { type: 'string', default: 'pglite,postgres' },
    kinds: { type: 'string', default: 'face,online' },
  },
})

export interface ServerInfo {
  url: string
  token: string
  deviceJwk: JWK
  device: string
  class: string
  roster: string[]
  sessionStart: number
  /** On PostgreSQL: the server's URL and the application name of the store's connections. */
  database?: { url: string; applicationName: string }
}

if (args.serve) {
  const { serve } = await import('./face-checks-server.ts')
  await serve(args.serve as StoreKind, Number(args.workers), args.schema)
} else {
  await main()
}

async function startServer(kind: string): Promise<{ child: ChildProcess; info: ServerInfo }> {
  const schema = `bench_attendance_${process.pid}`
  const child = spawn(
    process.execPath,
    [new URL(import.meta.url).pathname, '--serve', kind, '--workers', args.workers!, '--schema', schema],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  )
  const lines = createInterface({ input: child.stdout! })
  const [line] = (await Promise.race([once(lines, 'line'), once(child, 'exit')])) as [string]
  if (typeof line !== 'string') throw new Error(`the ${kind} server did not start`)
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
      session: 'ses-bench',
      checkedAt: new Date(info.sessionStart + (((b + offset) * size + i) % 28_800) * 1000).toISOString(),
      purpose: 'spot',
      result: i % 37 === 0 ? 'fail' : 'pass',
      matchScore: 0.8 + (i % 20) / 100,
      liveness: { method: 'silent', score: 0.97, passed: true },
      place: { lat: 38.0428, lon: 114.5149 },
      templateHash: (b * size + i).toString(16).padStart(64, '0'),
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

/** Signed learning batches: `size` one-second segments, ten per worker, no two of a worker's overlapping. */
async function signedSegmentBatches(
  info: ServerInfo,
  count: number,
  size: number,
  offset: number,
): Promise<string[]> {
  const key = await importJWK(info.deviceJwk, 'EdDSA')
  const out: string[] = []
  const perWorker = Math.ceil(size / info.roster.length)
  for (let b = 0; b < count; b++) {
    const segments = Array.from({ length: size }, (_, i) => {
      const k = Math.floor(i / info.roster.length)
      const start = info.sessionStart + (((b + offset) * perWorker + k) % 28_800) * 1000
      return {
        worker: info.roster[i % info.roster.length]!,
        lesson: `les-${k}`,
        start: new Date(start).toISOString(),
        end: new Date(start + 1000).toISOString(),
        progress: 0.5,
        playbackRate: 1,
        interactions: i % 5,
        clientFingerprint: (i % info.roster.length).toString(16).padStart(64, '0'),
      }
    })
    const payload = {
      device: info.device,
      class: info.class,
      batchId: `l-${offset + b}`,
      segments,
      checks: [],
    }
    out.push(
      await new CompactSign(new TextEncoder().encode(JSON.stringify(payload)))
        .setProtectedHeader({ alg: 'EdDSA', kid: info.device })
        .sign(key),
    )
  }
  return out
}

type Kind = 'face' | 'online'

/** The route a kind of batch goes to (a function: the module's top-level await runs before later constants). */
function routeOf(kind: Kind): string {
  return kind === 'face' ? '/v1/face-check-batches' : '/v1/online-learning-batches'
}

/** CPU seconds so far of each PostgreSQL backend serving connections of this application name. */
async function backendsCpu(admin: pg.Client | undefined, applicationName: string | undefined) {
  const cpu = new Map<number, number>()
  if (!admin || !applicationName) return cpu
  const { rows } = await admin.query<{ pid: number }>(
    'select pid from pg_stat_activity where application_name = $1',
    [applicationName],
  )
  for (const { pid } of rows) cpu.set(pid, processCpu(pid))
  return cpu
}

/** CPU seconds the backends spent between two samples (one that appeared in between counts from 0). */
function backendsDelta(before: Map<number, number>, after: Map<number, number>): number {
  let seconds = 0
  for (const [pid, cpu] of after) seconds += cpu - (before.get(pid) ?? 0)
  return seconds
}

/** User + system CPU seconds of this process so far. */
function ownCpu(): number {
  const { user, system } = process.cpuUsage()
  return (user + system) / 1e6
}

/**
 * Posts the batches, `concurrency` at a time, over keep-alive sockets (the lean client: fetch cost
 * the load generator 12–16 µs of CPU per record, taken from the server and PostgreSQL on the same
 * cores). The bodies are serialised before the clock starts.
 */
async function run(info: ServerInfo, batches: string[], concurrency: number, kind: Kind = 'face') {
  const bodies = batches.map((jws) => JSON.stringify({ jws }))
  const { hostname, port } = new URL(info.url)
  const client = new LeanHttpClient(hostname, Number(port), concurrency)
  const latencies: number[] = []
  let failed = 0
  let next = 0
  const started = performance.now()
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < bodies.length) {
        const body = bodies[next++]!
        const t = performance.now()
        const res = await client.sendJson('POST', routeOf(kind), info.token, body)
        latencies.push(performance.now() - t)
        if (res.status !== 201) {
          failed++
          if (failed === 1) console.error(`  first failure: ${res.status} ${res.text.slice(0, 300)}`)
        }
      }
    }),
  )
  const seconds = (performance.now() - started) / 1000
  client.close()
  latencies.sort((a, b) => a - b)
  return {
    seconds,
    failed,
    p50: latencies[Math.floor(latencies.length / 2)]!,
    p95: latencies[Math.floor(latencies.length * 0.95)]!,
  }
}

async function main(): Promise<void> {
  const batches = Number(args.batches)
  const size = Number(args.size)
  const concurrency = Number(args.concurrency)
  const load = () =>
    loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')
  const kinds = args.kinds!.split(',') as Kind[]
  console.log(
    `${kinds.join(' and ')} batches through HTTP: ${batches} batches × ${size} records, ${args.workers} workers per class, concurrency ${concurrency}; load average ${load()}`,
  )
  for (const kind of args.stores!.split(',')) {
    let server: Awaited<ReturnType<typeof startServer>>
    try {
      server = await startServer(kind)
    } catch (error) {
      console.log(`${kind.padEnd(8)} skipped: ${(error as Error).message}`)
      continue
    }
    try {
      const { info } = server
      const admin = info.database && new pg.Client({ connectionString: info.database.url })
      await admin?.connect()
      const sign = { face: signedBatches, online: signedSegmentBatches }
      const unit = { face: 'checks', online: 'segments' }
      for (const k of kinds) {
        await run(info, await sign[k](info, 4, size, 1_000_000), concurrency, k) // warm-up
        const timed = await sign[k](info, batches, size, 0)
        const pgBefore = await backendsCpu(admin, info.database?.applicationName)
        const clientBefore = ownCpu()
        const cpuBefore = processCpu(server.child.pid!)
        const r = await run(info, timed, concurrency, k)
        const cpu = processCpu(server.child.pid!) - cpuBefore
        const client = ownCpu() - clientBefore
        const database = backendsDelta(pgBefore, await backendsCpu(admin, info.database?.applicationName))
        const records = (batches - r.failed) * size
        const rate = Math.round(records / r.seconds)
        const per = (seconds: number) => `${((seconds * 1e6) / Math.max(records, 1)).toFixed(1)} µs`
        const cpuParts = admin
          ? `server ${per(cpu)} + PostgreSQL ${per(database)} + client ${per(client)} = ${per(cpu + database + client)}`
          : `server ${per(cpu)} + client ${per(client)} = ${per(cpu + client)}`
        console.log(
          `${kind.padEnd(8)} ${k.padEnd(6)} ${rate.toLocaleString('en')} ${unit[k]}/s (${((batches * size) / 1000).toFixed(0)}k in ${r.seconds.toFixed(2)} s; CPU per record: ${cpuParts}; batch p50 ${r.p50.toFixed(0)} ms, p95 ${r.p95.toFixed(0)} ms; load ${load()}${r.failed ? `; ${r.failed} FAILED` : ''})`,
        )
      }
      await admin?.end()
    } finally {
      server.child.kill('SIGTERM')
      await once(server.child, 'exit')
    }
  }
}
