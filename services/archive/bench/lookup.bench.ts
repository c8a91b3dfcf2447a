// Card-service archive lookups over real HTTP: the archive service listening on 127.0.0.1 with
// its read model in PostgreSQL, every lookup verifying a signed token, turning the card number
// into its pseudonym, reading the archive and appending its access event to the PostgreSQL event
// store before answering. Read-model rows are generated in bulk SQL (one archive per worker, a
// realistic document), not through the whole pipeline. A load generator in a child process keeps
// a fixed number of requests in flight (closed loop), or sends them on a schedule (open loop, at
// several rates), and times each; the CPU time of the server, the load generator and PostgreSQL
// is measured over the same window. Before the load, the machine's floor: one PostgreSQL round
// trip and one durable commit, timed one after another on the idle server.
// Run: node services/archive/bench/lookup.bench.ts
//   BENCH_SIZES=10000,100000,1000000  BENCH_SECONDS=8  BENCH_CONCURRENCY=1,8  BENCH_RATES=250,500,1000,2100
//   BENCH_KEEP_ROWS=1 (with one size: keep the generated rows for the next run)

import { fork } from 'node:child_process'
import { createHmac } from 'node:crypto'
import { LeanHttpClient } from '../../../tests/bench/lean-http.ts'

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

/** p50, p99 and max of a list of milliseconds, to 0.01 ms. */
const quantiles = (ms: number[]) => {
  const sorted = Float64Array.from(ms).sort()
  const at = (q: number) =>
    Math.round(sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]! * 100) / 100
  return { p50: at(0.5), p99: at(0.99), max: at(1) }
}

interface LoadResult {
  latencies: number[]
  errors: number
  statuses: Record<string, number>
  seconds: number
  /** The load generator's own CPU time over the measured window, µs. */
  cpuMicros: number
}

if (process.env.TREC_BENCH_ROLE === 'client') {
  // The load generator. Closed loop (`rate` 0): `concurrency` loops, each sending one lookup after
  // another, to find the capacity. Open loop (`rate` > 0): lookups sent on a fixed schedule of
  // `rate` per second whatever the answers do, each timed from when it was due (so a stall
  // counts against every lookup it delayed), to measure latency at that rate, over at most
  // `concurrency` connections.
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
  const client = new LeanHttpClient('127.0.0.1', port, concurrency)
  const latencies: number[] = []
  const statuses: Record<string, number> = {}
  let errors = 0
  let seed = 12345
  const next = () => {
    seed = (seed * 1103515245 + 12345) >>> 0
    return seed % workers
  }
  const request = () =>
    client.jsonRequest(
      'POST',
      '/v1/archive/lookup',
      token,
      JSON.stringify({ cardNumber: cardNumberOf(next()), purpose: 'card_holder_request' }),
    )
  // An open loop's requests are all known beforehand: encoded now, the generator's CPU in the
  // window is the sending and reading alone (it shares the cores with the server and PostgreSQL).
  const prepared = rate > 0 ? Array.from({ length: Math.ceil((warmup + seconds) * rate) + 1 }, request) : []
  let sent = 0
  const one = async () => (await client.send(prepared[sent++] ?? request())).status
  const started = performance.now()
  const measureFrom = started + warmup * 1000
  let cpuFrom = process.cpuUsage()
  setTimeout(() => {
    cpuFrom = process.cpuUsage()
    process.send!('measuring')
  }, warmup * 1000)
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
      // Sleep until the next lookup is due (timers fire on whole milliseconds at the finest).
      await new Promise((r) => setTimeout(r, Math.max(1, started + k * interval - performance.now())))
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
  const cpu = process.cpuUsage(cpuFrom)
  client.close()
  process.send!(
    { latencies, errors, statuses, seconds, cpuMicros: cpu.user + cpu.system } satisfies LoadResult,
    () => process.exit(0),
  )
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
  const { buildPlatform, listenBehindFront } = await import('@trec/fastify-kit')
  const { testTokens } = await import('@trec/fastify-kit/testing')
  const { ProjectionRunner } = await import('@trec/projections')
  const { foldWorkerArchive } = await import('@trec/readmodels')
  const { envelopes, generateRecord } = await import('@trec/readmodels/testing')
  const { archiveProjection, archiveService } = await import('../src/index.ts')
  const { writeSection } = await import('../../../tests/bench/report.ts')
  const { postgresCpu, postmasterOf, processCpu } = await import('../../../tests/bench/mixed-traffic-cpu.ts')

  const sizes = (process.env.BENCH_SIZES ?? '10000,100000,1000000').split(',').map(Number)
  const seconds = Number(process.env.BENCH_SECONDS ?? 8)
  const warmup = Number(process.env.BENCH_WARMUP ?? 2)
  const list = (text: string) => text.split(',').map(Number)
  const concurrencies = list(process.env.BENCH_CONCURRENCY ?? '1,8')
  const rates = list(process.env.BENCH_RATES ?? '250,500,1000,2100')
  // Closed loops (rate 0) at each concurrency, then open loops (concurrency bounds connections).
  const loads = [
    ...concurrencies.map((concurrency) => ({ concurrency, rate: 0 })),
    ...rates.map((rate) => ({ concurrency: 256, rate })),
  ]

  const server = await postgresForTests()
  if ('skip' in server) throw new Error(server.skip)
  const suffix = randomUUID().slice(0, 8)
  // BENCH_KEEP_ROWS=1 with one size: the archive rows stay in a schema named for that size, and a
  // later run reuses them instead of loading them again (minutes at 1,000,000 on a loaded machine).
  const keep = process.env.BENCH_KEEP_ROWS === '1' && sizes.length === 1
  const readSchema = keep ? `bench_archive_rows_${sizes[0]}` : `bench_archive_${suffix}`
  const storeSchema = `bench_archive_store_${suffix}`
  // The bench's own connections (the server's read model and event store) carry a name of this run,
  // so that their backends' CPU can be told from the rest of a PostgreSQL server others use too.
  const applicationName = `trec-archive-bench-${suffix}`
  const benchUrl = new URL(server.url)
  benchUrl.searchParams.set('application_name', applicationName)
  const pool = new pg.Pool({ connectionString: benchUrl.href, max: 10 })
  pool.on('error', () => undefined)
  const db = pgExecutor(pool)
  const admin = new pg.Client({ connectionString: server.url })
  await admin.connect()
  const postmaster = await postmasterOf(admin)
  /** CPU seconds so far of each backend serving this run's connections (the server's pools), by pid. */
  const backendCpu = async () => {
    const { rows } = await admin.query<{ pid: number }>(
      'select pid from pg_stat_activity where application_name = $1',
      [applicationName],
    )
    return new Map(rows.map(({ pid }) => [pid, processCpu(pid)]))
  }
  const serverVersion = (await admin.query<{ v: string }>("select current_setting('server_version') as v"))
    .rows[0]!.v
  const store = await openPostgresEventStore({
    connectionString: benchUrl.href,
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
    // The store is in the read model's database, as the app's PostgreSQL runtime has it.
    readThenAppend: store,
    db,
    pseudonymSecret: secret,
    region: '130000',
    schema: readSchema,
  })
  // TREC_FRONT_THREAD=on: behind the front thread, as the app listens on PostgreSQL by default,
  // with the default write budget (a lookup is a POST).
  const front =
    process.env.TREC_FRONT_THREAD === 'on'
      ? await listenBehindFront(app, { host: '127.0.0.1', port: 0, maxInFlight: 64, maxLatencyMs: 500 })
      : undefined
  if (!front) await app.listen({ host: '127.0.0.1', port: 0 })
  const port = front ? Number(new URL(front.address).port) : (app.server.address() as { port: number }).port
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
    /** Seconds loading the rows; undefined when an earlier run's rows were kept (BENCH_KEEP_ROWS). */
    loadSeconds: number | undefined
    concurrency: number
    rate: number
    rps: number
    p50: number
    p99: number
    max: number
    cpu: { server: number; client: number; postgres: number; backends: number }
    errors: number
    statuses: Record<string, number>
    /** The machine's 1-minute load average when the row's window ended. */
    load: number
  }[] = []

  // The floor: what one round trip and one durable commit cost on this machine with nothing else
  // running, one after another. A lookup needs at least one read and one commit.
  const floorTable = `"${readSchema}".floor`
  await pool.query(`create table if not exists ${floorTable} (n int)`)
  const timed = async (sql: string, params: unknown[]) => {
    const ms: number[] = []
    for (let i = 0; i < 2000; i++) {
      const t = performance.now()
      await pool.query(sql, params)
      ms.push(performance.now() - t)
    }
    return quantiles(ms)
  }
  const floor = {
    roundTrip: await timed('select 1', []),
    commit: await timed(`insert into ${floorTable} values ($1)`, [1]),
  }
  console.log(JSON.stringify({ floor }))

  let loaded = keep
    ? Number((await pool.query<{ n: string }>(`select count(*)::text as n from ${archives}`)).rows[0]!.n)
    : 0
  for (const size of sizes) {
    const kept = loaded >= size
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
    // Write the loaded rows out now, so that the checkpoint the bulk load would start is not
    // running under the measured lookups (it needs the superuser or pg_checkpoint role; without
    // it the load's checkpoint may fall in the measured window).
    await pool.query('checkpoint').catch(() => undefined)
    const loadSeconds = (performance.now() - t0) / 1000
    const token = await tokens.mint({ sub: 'ssc-bench', role: 'card_service' })
    for (const load of loads) {
      const driven = await drive(size, token, load)
      const row = {
        size,
        loadSeconds: kept ? undefined : Math.round(loadSeconds),
        ...load,
        ...driven,
        load: loadavg()[0]!,
      }
      results.push(row)
      console.log(JSON.stringify(row))
    }
  }
  async function drive(size: number, token: string, { concurrency, rate }: (typeof loads)[number]) {
    let cpuFrom = process.cpuUsage()
    let postgresFrom = postgresCpu(postmaster)
    let backendsFrom = backendCpu()
    const result = await new Promise<LoadResult>((resolve, reject) => {
      const child = fork(new URL(import.meta.url), [], {
        env: {
          ...process.env,
          TREC_BENCH_ROLE: 'client',
          TREC_BENCH_LOAD: JSON.stringify({ port, token, workers: size, seconds, warmup, concurrency, rate }),
        },
      })
      child.on('message', (m) => {
        if (m === 'measuring') {
          cpuFrom = process.cpuUsage()
          postgresFrom = postgresCpu(postmaster)
          backendsFrom = backendCpu()
        } else resolve(m as LoadResult)
      })
      child.once('error', reject)
    })
    const cpu = process.cpuUsage(cpuFrom)
    const postgresMicros = (postgresCpu(postmaster) - postgresFrom) * 1e6
    // A backend that ended within the window takes its CPU with it; the pools keep theirs open under load.
    const [before, after] = [await backendsFrom, await backendCpu()]
    let backendsMicros = 0
    for (const [pid, seconds] of after) backendsMicros += (seconds - (before.get(pid) ?? 0)) * 1e6
    const n = Math.max(1, result.latencies.length)
    return {
      rps: Math.round(result.latencies.length / result.seconds),
      ...quantiles(result.latencies),
      errors: result.errors,
      statuses: result.statuses,
      // CPU (user + system) per lookup over the measured window: this process, the load
      // generator's, the whole PostgreSQL server's (Linux /proc; 0 where unreadable), and of that
      // the backends of this run's connections alone (others' work on a shared server left out;
      // so are PostgreSQL's own background processes, the WAL writer among them).
      cpu: {
        server: Math.round((cpu.user + cpu.system) / n),
        client: Math.round(result.cpuMicros / n),
        postgres: Math.round(postgresMicros / n),
        backends: Math.round(backendsMicros / n),
      },
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
  const met = (r: (typeof results)[number]) => r.p99 <= 10 && r.errors === 0
  const knee = sizes.map((size) => {
    const held = results.filter((r) => r.size === size && r.rate > 0 && met(r)).map((r) => r.rate)
    return `${size.toLocaleString('en')} workers: ${held.length > 0 ? `${Math.max(...held).toLocaleString('en')}/s` : `none of ${rates.map((r) => r.toLocaleString('en')).join(', ')}/s`}`
  })
  // Issue 22: at 1,000,000 workers, 500 lookups/s open loop with the load generator on the same machine.
  const targetRate = 500
  const targetSize = Math.max(...sizes)
  const targetRows = results.filter((r) => r.size === targetSize && r.rate === targetRate)
  const targetMet = targetRows.length > 0 && targetRows.every((r) => r.rps >= targetRate * 0.98 && met(r))
  const ms = (q: { p50: number; p99: number }) => `p50 ${q.p50} ms, p99 ${q.p99} ms`
  await writeSection('archive-bench', [
    '### Card-service archive lookups',
    '',
    `Command: \`pnpm bench:archive\` (PostgreSQL 127.0.0.1:5432; the archive service listening on 127.0.0.1, its read model in PostgreSQL; archive rows generated in bulk SQL, one ${docBytes}-byte document per worker). A load generator in a child process drives it per size, each time ${warmup} s warm-up then ${seconds} s measured: **closed loop**, ${concurrencies.join(' and ')} requests in flight over keep-alive connections, each sending one lookup after another (one in flight: a lookup's own latency with nothing queued; more: the capacity); and **open loop** at ${rates.map((r) => r.toLocaleString('en')).join(', ')} lookups/s, sent on a fixed schedule whatever the answers do, each timed from when it was due (latency at that rate, without coordinated omission).`,
    '',
    'Each lookup: EdDSA bearer-token check, card number validated and turned into its pseudonym (HMAC-SHA256), one primary-key read of the archive, the `RecordAccessed` event appended to the PostgreSQL event store, and only then the answer. Concurrent lookups share both: reads and appends arriving while one is in flight go together in the next (`worker = any($1)`, one multi-stream append). CPU per lookup is user + system time over the measured window divided by the lookups answered in it: the server process, the load generator, and the whole PostgreSQL server (in brackets, the backends of this run’s own connections alone: the server is shared).',
    '',
    `| workers in the read model | rows loaded in | load | lookups/s | p50 | p99 | max | CPU per lookup: server / load generator / PostgreSQL (of which this run's backends) | non-200 | load average (1 min) | p99 ≤ 10 ms |`,
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |',
    ...results.map(
      (r) =>
        `| ${r.size.toLocaleString('en')} | ${r.loadSeconds === undefined ? 'kept from an earlier run' : `${r.loadSeconds} s`} | ${r.rate > 0 ? `open loop, ${r.rate.toLocaleString('en')}/s` : `closed loop, ${r.concurrency} in flight`} | ${r.rps.toLocaleString('en')} | ${r.p50} ms | ${r.p99} ms | ${r.max} ms | ${r.cpu.server} / ${r.cpu.client} / ${r.cpu.postgres} (${r.cpu.backends}) µs | ${r.errors} | ${r.load.toFixed(2)} | ${met(r) ? 'yes' : 'no'} |`,
    ),
    '',
    `**Target p99 ≤ 10 ms at ${targetRate} lookups/s open loop, ${targetSize.toLocaleString('en')} workers: ${targetRows.length === 0 ? 'not measured in this run' : targetMet ? 'met' : 'not met'}.** Highest open-loop rate with p99 ≤ 10 ms, by size: ${knee.join('; ')}.`,
    '',
    `The floor on this machine, measured before the load with nothing else running, ${(2000).toLocaleString('en')} times one after another: a PostgreSQL round trip (\`select 1\`) ${ms(floor.roundTrip)}; a durable one-row commit ${ms(floor.commit)}. A lookup needs at least one of each.`,
    '',
    `Run ${new Date().toISOString()} on ${cpus().length} cores (${cpus()[0]?.model ?? 'unknown'}), load average (1/5/15 min) before ${load(loadBefore)}, after ${load(loadAfter)}; Node ${process.version}; PostgreSQL ${serverVersion}. Access events appended during the run: ${count}.`,
    '',
    'Client, server and PostgreSQL share the cores, so what a lookup costs the three together sets the rate the machine can answer with a short tail. That cost is highest at low rates, where each lookup has a read and an append statement of its own and wakes each process from idle, and falls as more lookups share each statement.',
    '',
  ])
  await admin.end()
  await front?.close()
  await app.close()
  await store.close()
  if (!keep) await pool.query(`drop schema if exists "${readSchema}" cascade`)
  await pool.query(`drop schema if exists "${storeSchema}" cascade`)
  await pool.end()
  process.exit(0)
}
