// Card-service archive lookups over real HTTP: the archive service listening on 127.0.0.1 with
// its read model in PostgreSQL, every lookup verifying a signed token, turning the card number
// into its pseudonym, reading the archive and appending its access event to the PostgreSQL event
// store before answering. Read-model rows are generated in bulk SQL (one archive per worker, a
// realistic document), not through the whole pipeline. A load generator in a child process keeps
// a fixed number of requests in flight and measures each from send to last byte; the server's
// own CPU time is measured over the same window.
// Run: node services/archive/bench/lookup.bench.ts
//   BENCH_SIZES=10000,100000,1000000  BENCH_SECONDS=8  BENCH_CONCURRENCY=8

import { fork } from 'node:child_process'
import { createHmac } from 'node:crypto'
import { Agent } from 'node:http'
import { sendJson } from '../../../tests/bench/http-client.ts'

const first17 = (i: number) => {
  // 130102 (石家庄长安区), a birth date from 1960-01-01 on, a sequence code: unique for i < 15,000,000.
  const day = new Date(Date.UTC(1960, 0, 1) + (i % 15_000) * 86_400_000)
    .toISOString()
    .slice(0, 10)
    .replaceAll('-', '')
  return `130102${day}${String(Math.floor(i / 15_000) % 1000).padStart(3, '0')}`
}
const weights = Array.from({ length: 17 }, (_, i) => 2 ** (17 - i) % 11)
const cardNumberOf = (i: number) => {
  const body = first17(i)
  let sum = 0
  for (let k = 0; k < 17; k++) sum += Number(body[k]) * weights[k]!
  return `${body}${'10X98765432'[sum % 11]}`
}

interface LoadResult {
  latencies: number[]
  errors: number
  statuses: Record<string, number>
  seconds: number
}

if (process.env.TREC_BENCH_ROLE === 'client') {
  // The load generator. Closed loop (`rate` 0): `concurrency` loops, each sending one lookup after
  // another, to find the capacity. Open loop (`rate` > 0): lookups sent on a fixed schedule of
  // `rate` per second whatever the answers do, each timed from when it was due (so a stall
  // counts against every lookup it delayed), to measure latency at that rate.
  const { port, token, workers, seconds, warmup, concurrency, rate } = JSON.parse(
    process.env.TREC_BENCH_LOAD!,
  ) as {
    port: number
    token: string
    workers: number
    seconds: number
    warmup: number
    concurrency: number
    rate: number
  }
  const agent = new Agent({ keepAlive: true, maxSockets: rate > 0 ? 256 : concurrency })
  const latencies: number[] = []
  const statuses: Record<string, number> = {}
  let errors = 0
  let seed = 12345
  const next = () => {
    seed = (seed * 1103515245 + 12345) >>> 0
    return seed % workers
  }
  const url = `http://127.0.0.1:${port}/v1/archive/lookup`
  const one = async () => {
    const body = JSON.stringify({ cardNumber: cardNumberOf(next()), purpose: 'card_holder_request' })
    return (await sendJson(agent, url, 'POST', token, body)).status
  }
  const started = performance.now()
  const measureFrom = started + warmup * 1000
  setTimeout(() => process.send!('measuring'), warmup * 1000)
  const end = measureFrom + seconds * 1000
  const record = (due: number, status: number) => {
    if (due < measureFrom || due >= end) return
    latencies.push(performance.now() - due)
    statuses[status] = (statuses[status] ?? 0) + 1
    if (status !== 200) errors++
  }
  if (rate > 0) {
    const interval = 1000 / rate
    const inFlight = new Set<Promise<void>>()
    let k = 0
    while (performance.now() < end) {
      for (
        let due = started + k * interval;
        due <= performance.now() && due < end;
        due = started + ++k * interval
      ) {
        const sent: Promise<void> = one().then((status) => {
          record(due, status)
          inFlight.delete(sent)
        })
        inFlight.add(sent)
      }
      await new Promise((r) => setTimeout(r, 1))
    }
    await Promise.all(inFlight)
  } else {
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (performance.now() < end) {
          const t = performance.now()
          record(t, await one())
        }
      }),
    )
  }
  agent.destroy()
  process.send!({ latencies, errors, statuses, seconds } satisfies LoadResult, () => process.exit(0))
} else {
  await main()
}

async function main(): Promise<void> {
  const { randomUUID } = await import('node:crypto')
  const { cpus, loadavg } = await import('node:os')
  const loadBefore = loadavg()
  const pg = (await import('pg')).default
  const { openPostgresEventStore, pgExecutor } = await import('@trec/eventstore/postgres')
  const { postgresForTests } = await import('@trec/eventstore/testing')
  const { buildPlatform } = await import('@trec/fastify-kit')
  const { testTokens } = await import('@trec/fastify-kit/testing')
  const { ProjectionRunner } = await import('@trec/projections')
  const { foldWorkerArchive } = await import('@trec/readmodels')
  const { envelopes, generateRecord } = await import('@trec/readmodels/testing')
  const { archiveProjection, archiveService } = await import('../src/index.ts')
  const { writeSection } = await import('./report.ts')

  const sizes = (process.env.BENCH_SIZES ?? '10000,100000,1000000').split(',').map(Number)
  const seconds = Number(process.env.BENCH_SECONDS ?? 8)
  const warmup = Number(process.env.BENCH_WARMUP ?? 2)
  const concurrency = Number(process.env.BENCH_CONCURRENCY ?? 8)
  const targetRate = Number(process.env.BENCH_RATE ?? 2100)

  const server = await postgresForTests()
  if ('skip' in server) throw new Error(server.skip)
  const suffix = randomUUID().slice(0, 8)
  const readSchema = `bench_archive_${suffix}`
  const storeSchema = `bench_archive_store_${suffix}`
  const pool = new pg.Pool({ connectionString: server.url, max: 10, application_name: 'trec-archive-bench' })
  pool.on('error', () => undefined)
  const db = pgExecutor(pool)
  const store = await openPostgresEventStore({
    connectionString: server.url,
    schema: storeSchema,
    maxConnections: 10,
  })
  const secret = 'bench-only-pseudonym-secret-0123456789abcdef'
  const tokens = await testTokens()
  const app = await buildPlatform({
    auth: { issuer: tokens.issuer, audience: tokens.audience, keys: { jwks: tokens.jwks } },
    db,
    logLevel: 'warn',
    logSink: { write: () => undefined },
  })
  await app.register(archiveService, {
    store,
    db,
    pseudonymSecret: secret,
    region: '130000',
    schema: readSchema,
  })
  await app.listen({ host: '127.0.0.1', port: 0 })
  const port = (app.server.address() as { port: number }).port
  const runner = new ProjectionRunner(db, archiveProjection, { schema: readSchema })
  const archives = runner.table('archives')

  // A realistic document: the archive of a generated worker with a training, completion,
  // certificate and payment, its pseudonym replaced per row.
  const sample = generateRecord({ workers: 8, seed: 4 })
  const withPayment = sample.payments[0]!.worker
  const template = foldWorkerArchive(withPayment, envelopes(sample.appends))
  const docBytes = Buffer.byteLength(JSON.stringify(template))
  const pseudonym = (i: number) =>
    createHmac('sha256', secret).update(cardNumberOf(i)).digest().subarray(0, 16).toString('hex')

  const results: {
    size: number
    loadSeconds: number
    rate: number
    rps: number
    p50: number
    p99: number
    max: number
    cpuMicros: number
    errors: number
    statuses: Record<string, number>
  }[] = []
  let loaded = 0
  for (const size of sizes) {
    const t0 = performance.now()
    for (let from = loaded; from < size; from += 50_000) {
      const chunk = Array.from({ length: Math.min(50_000, size - from) }, (_, k) => pseudonym(from + k))
      await pool.query(
        `insert into ${archives} (worker, doc)
         select w, jsonb_set($2::jsonb, '{worker}', to_jsonb(w)) from unnest($1::text[]) as w
         on conflict (worker) do nothing`,
        [chunk, JSON.stringify(template)],
      )
    }
    loaded = size
    await pool.query(`analyze ${archives}`)
    const loadSeconds = (performance.now() - t0) / 1000
    const token = await tokens.mint({ sub: 'ssc-bench', role: 'card_service' })
    for (const rate of [0, targetRate]) {
      const row = { size, loadSeconds: Math.round(loadSeconds), rate, ...(await drive(size, token, rate)) }
      results.push(row)
      console.log(JSON.stringify(row))
    }
  }
  async function drive(size: number, token: string, rate: number) {
    let cpuFrom = process.cpuUsage()
    const result = await new Promise<LoadResult>((resolve, reject) => {
      const child = fork(new URL(import.meta.url), [], {
        env: {
          ...process.env,
          TREC_BENCH_ROLE: 'client',
          TREC_BENCH_LOAD: JSON.stringify({ port, token, workers: size, seconds, warmup, concurrency, rate }),
        },
      })
      child.on('message', (m) => {
        if (m === 'measuring') cpuFrom = process.cpuUsage()
        else resolve(m as LoadResult)
      })
      child.once('error', reject)
    })
    const cpu = process.cpuUsage(cpuFrom)
    const sorted = Float64Array.from(result.latencies).sort()
    const at = (q: number) =>
      Math.round(sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]! * 100) / 100
    return {
      rps: Math.round(sorted.length / result.seconds),
      p50: at(0.5),
      p99: at(0.99),
      max: Math.round(sorted[sorted.length - 1]! * 100) / 100,
      errors: result.errors,
      statuses: result.statuses,
      // Server CPU (user + system, this process) per lookup over the measured window.
      cpuMicros: Math.round((cpu.user + cpu.system) / Math.max(1, sorted.length)),
    }
  }
  const [{ count }] = (
    await pool
      .query<{ count: string }>(`select count(*)::text as count from "${storeSchema}".events`)
      .catch(() => ({
        rows: [{ count: 'n/a' }],
      }))
  ).rows as [{ count: string }]

  const loadAfter = loadavg()
  const load = (l: number[]) => l.map((x) => x.toFixed(2)).join(' / ')
  const target = (r: (typeof results)[number]) => (r.p99 <= 10 && r.rps >= 2000 ? 'met' : 'not met')
  await writeSection('archive-bench', [
    '### Card-service archive lookups',
    '',
    `Command: \`pnpm bench:archive\` (PostgreSQL 127.0.0.1:5432; the archive service listening on 127.0.0.1, its read model in PostgreSQL; archive rows generated in bulk SQL, one ${docBytes}-byte document per worker). A load generator in a child process drives it twice per size, each time ${warmup} s warm-up then ${seconds} s measured: **closed loop**, ${concurrency} requests in flight over keep-alive connections, one after another (the capacity); and **open loop at ${targetRate.toLocaleString('en')}/s**, lookups sent on a fixed schedule whatever the answers do, each timed from when it was due (latency at that rate, without coordinated omission).`,
    '',
    'Each lookup: EdDSA bearer-token check, card number validated and turned into its pseudonym (HMAC-SHA256), one primary-key read of the archive, the `RecordAccessed` event appended to the PostgreSQL event store, and only then the answer. Concurrent lookups share both: reads and appends arriving while one is in flight go together in the next (`worker = any($1)`, one multi-stream append). Server CPU is the server process’s user + system time over the measured window per lookup.',
    '',
    `| workers in the read model | rows loaded in | load | lookups/s | p50 | p99 | max | server CPU | non-200 | target p99 ≤ 10 ms at ≥ 2,000/s |`,
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |',
    ...results.map(
      (r) =>
        `| ${r.size.toLocaleString('en')} | ${r.loadSeconds} s | ${r.rate > 0 ? `open loop, ${r.rate.toLocaleString('en')}/s` : `closed loop, ${concurrency} in flight`} | ${r.rps.toLocaleString('en')} | ${r.p50} ms | ${r.p99} ms | ${r.max} ms | ${r.cpuMicros} µs/lookup | ${r.errors} | ${target(r)} |`,
    ),
    '',
    `Run ${new Date().toISOString()} on ${cpus().length} cores (${cpus()[0]?.model ?? 'unknown'}), load average (1/5/15 min) before ${load(loadBefore)}, after ${load(loadAfter)}; Node ${process.version}. Access events appended during the run: ${count}.`,
    '',
    'Client, server and PostgreSQL share the two cores. The target is judged on each row: the open-loop rows are the ones that ask the question (p99 at 2,000 lookups/s); a closed-loop row meets it only if its capacity run happens to stay under 10 ms at the 99th percentile.',
    '',
  ])
  await app.close()
  await store.close()
  await pool.query(`drop schema if exists "${readSchema}" cascade`)
  await pool.query(`drop schema if exists "${storeSchema}" cascade`)
  await pool.end()
  process.exit(0)
}
