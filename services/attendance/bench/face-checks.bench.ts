// Face checks per second through HTTP: signed batches of 500 checks posted to the attendance
// service listening on 127.0.0.1, on the embedded store (PGlite) and, when a PostgreSQL server
// answers (DATABASE_URL, else 127.0.0.1:5432 db `test`), on PostgreSQL. The server runs in a
// child process so the client's signing and HTTP work do not share its thread.
//
//   npx pnpm@10.34.9 exec node services/attendance/bench/face-checks.bench.ts [--batches 60] [--workers 50]
//     [--concurrency 4] [--stores pglite,postgres,discard]
//
// `discard` answers the appends without writing: what the service costs apart from the store.
//
// The target (the issue): ≥ 20,000 face checks/s on 2 cores. Keep runs short on a shared machine.

import { type ChildProcess, spawn } from 'node:child_process'
import { once } from 'node:events'
import { loadavg } from 'node:os'
import { createInterface } from 'node:readline'
import { parseArgs } from 'node:util'
import { CompactSign, importJWK, type JWK } from 'jose'
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

async function run(info: ServerInfo, batches: string[], concurrency: number) {
  const latencies: number[] = []
  let failed = 0
  let next = 0
  const started = performance.now()
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < batches.length) {
        const jws = batches[next++]!
        const t = performance.now()
        const res = await fetch(`${info.url}/v1/face-check-batches`, {
          method: 'POST',
          headers: { authorization: `Bearer ${info.token}`, 'content-type': 'application/json' },
          body: JSON.stringify({ jws }),
        })
        const text = await res.text()
        latencies.push(performance.now() - t)
        if (res.status !== 201) {
          failed++
          if (failed === 1) console.error(`  first failure: ${res.status} ${text.slice(0, 300)}`)
        }
      }
    }),
  )
  const seconds = (performance.now() - started) / 1000
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
  console.log(
    `face checks through HTTP: ${batches} batches × ${size} checks, ${args.workers} workers per class, concurrency ${concurrency}; load average ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}`,
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
      await run(info, await signedBatches(info, 4, size, 1_000_000), concurrency) // warm-up
      const timed = await signedBatches(info, batches, size, 0)
      const r = await run(info, timed, concurrency)
      const rate = Math.round(((batches - r.failed) * size) / r.seconds)
      console.log(
        `${kind.padEnd(8)} ${rate.toLocaleString('en')} checks/s (${((batches * size) / 1000).toFixed(0)}k checks in ${r.seconds.toFixed(2)} s; batch p50 ${r.p50.toFixed(0)} ms, p95 ${r.p95.toFixed(0)} ms${r.failed ? `; ${r.failed} FAILED` : ''})`,
      )
    } finally {
      server.child.kill('SIGTERM')
      await once(server.child, 'exit')
    }
  }
}
