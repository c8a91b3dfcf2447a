// Mixed traffic at the national design peak (issue 7): 10,000 events/s for 60 s over real HTTP
// with real signed tokens, against the app as `pnpm serve` runs it on PostgreSQL. Most events are
// face checks in device-signed batches; enrolments, completions, subsidy claims and card-service
// archive lookups come at lower rates (see mixed-traffic-mix.ts). Three processes: this one
// (orchestrates, samples CPU), the app (a child: mixed-traffic-server.ts) and the load generator
// (a child: mixed-traffic-load.ts, open loop). If the machine cannot take the offered rate, the
// report says so: offered against achieved, and where the CPU went.
//
//   npx pnpm@10.34.9 bench:mixed                                  (10,000 events/s for 60 s)
//   BENCH_SECONDS=10 BENCH_RATE=1000 npx pnpm@10.34.9 bench:mixed  (a small run)
//   BENCH_WARMUP (s, default 5), BENCH_DRAIN (s to wait for answers after the run, default 30),
//   BENCH_CATCHUP (s to wait for the read side afterwards, default 120), -- --no-report (a run
//   replaces the mixed-traffic section of BENCHMARKS.md; keep a run worth keeping by quoting its
//   figures in an analysis section of its own, outside the markers); the app's admission
//   budget comes from TREC_ADMISSION_MAX_IN_FLIGHT, TREC_ADMISSION_MAX_LATENCY_MS and
//   TREC_ADMISSION_MAX_LOOP_DELAY_MS as for `pnpm serve`, its pool size from TREC_PG_POOL_MAX,
//   its front thread from TREC_FRONT_THREAD

import { type ChildProcess, fork, spawn } from 'node:child_process'
import { randomUUID } from 'node:crypto'
import { once } from 'node:events'
import { loadavg } from 'node:os'
import { createInterface } from 'node:readline'
import { parseArgs } from 'node:util'
import pg from 'pg'
import { type CpuSample, cpuOver, postmasterOf, sample } from './mixed-traffic-cpu.ts'
import { readSideLag, storeSchema } from './mixed-traffic-lag.ts'
import type { LoadMessage, LoadResult } from './mixed-traffic-load.ts'
import { type MixPlan, planMix, type World } from './mixed-traffic-mix.ts'
import { type MixedRun, mixedTrafficSection, verdict } from './mixed-traffic-report.ts'
import type { ServerInfo } from './mixed-traffic-server.ts'
import { writeSection } from './report.ts'

const { values: args } = parseArgs({
  args: process.argv.slice(2).filter((a) => a !== '--'),
  options: {
    serve: { type: 'boolean', default: false },
    load: { type: 'boolean', default: false },
    database: { type: 'string' },
    world: { type: 'string' },
    'no-report': { type: 'boolean', default: false },
  },
})

const env = (name: string, fallback: number) => {
  const value = Number(process.env[name] ?? fallback)
  if (!Number.isFinite(value) || value <= 0) throw new Error(`${name} must be a positive number`)
  return value
}
const load = () =>
  loadavg()
    .map((l) => l.toFixed(2))
    .join(' / ')

async function startServer(
  database: string,
  world: World,
): Promise<{ child: ChildProcess; info: ServerInfo }> {
  const child = spawn(
    process.execPath,
    [
      // BENCH_PROFILE=<dir>: the app's CPU profiles (every thread) go there, for `--cpu-prof` reading.
      ...(process.env.BENCH_PROFILE ? ['--cpu-prof', '--cpu-prof-dir', process.env.BENCH_PROFILE] : []),
      import.meta.filename,
      '--serve',
      '--database',
      database,
      '--world',
      JSON.stringify(world),
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  )
  const lines = createInterface({ input: child.stdout! })
  const [line] = (await Promise.race([once(lines, 'line'), once(child, 'exit')])) as [unknown]
  if (typeof line !== 'string') throw new Error('the app did not start (see its output above)')
  return { child, info: JSON.parse(line) as ServerInfo }
}

/** Runs the load generator; samples CPU when its window opens and closes. */
async function drive(
  info: ServerInfo,
  plan: MixPlan,
  drainSeconds: number,
  postmaster: number | undefined,
): Promise<{ result: LoadResult; window: [CpuSample, CpuSample] }> {
  const child = fork(import.meta.filename, ['--load'], { stdio: 'inherit' })
  const samples: CpuSample[] = []
  try {
    return await new Promise((resolve, reject) => {
      child.on('message', (m: LoadMessage) => {
        if (m.type === 'ready') {
          console.log(
            `  load generator ready (requests built and signed in ${m.buildSeconds.toFixed(1)} s); go`,
          )
          child.send('go')
        } else if (m.type === 'measuring' || m.type === 'window-end') {
          samples.push(sample(info.pid, postmaster))
          // The server reports its request thread over the window (mixed-traffic-thread.ts).
          process.kill(info.pid, m.type === 'measuring' ? 'SIGUSR1' : 'SIGUSR2')
          console.log(m.type === 'measuring' ? `  measuring ${plan.seconds} s` : '  window closed; draining')
        } else if (m.type === 'result')
          Promise.all(samples).then(([a, b]) => resolve({ result: m.result, window: [a!, b!] }), reject)
      })
      child.once('exit', (code) => reject(new Error(`the load generator exited (${code}) before its result`)))
      child.send({ info, plan, drainSeconds })
    })
  } finally {
    if (child.exitCode === null) child.kill('SIGTERM')
  }
}

/** How many of the acknowledged event ids the store does not hold (0: none lost). */
async function missingEvents(db: pg.Client, ids: readonly string[]): Promise<number> {
  let found = 0
  for (let i = 0; i < ids.length; i += 50_000) {
    const { rows } = await db.query<{ n: string }>(
      `select count(*)::text as n from "${storeSchema}".events where id = any($1::uuid[])`,
      [ids.slice(i, i + 50_000)],
    )
    found += Number(rows[0]!.n)
  }
  return new Set(ids).size - found
}

async function main(): Promise<void> {
  const seconds = env('BENCH_SECONDS', 60)
  const rate = env('BENCH_RATE', 10_000)
  const warmup = env('BENCH_WARMUP', 5)
  const drainSeconds = env('BENCH_DRAIN', 30)
  const catchUpLimit = env('BENCH_CATCHUP', 120)
  const url = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test'
  const admin = new pg.Client({ connectionString: url })
  try {
    await admin.connect()
  } catch (error) {
    console.log(`mixed-traffic bench skipped: no PostgreSQL (${(error as Error).message})`)
    return
  }
  const settings = Object.fromEntries(
    (
      await admin.query(
        `select name, setting from pg_settings where name in ('server_version', 'synchronous_commit', 'fsync')`,
      )
    ).rows.map((r) => [r.name, r.setting]),
  )
  const loadBefore = load()
  const plan = planMix(rate, seconds, warmup)
  const database = `bench_mixed_${randomUUID().replaceAll('-', '').slice(0, 10)}`
  const databaseUrl = new URL(url)
  databaseUrl.pathname = `/${database}`
  console.log(
    `mixed-traffic bench: ${rate.toLocaleString('en')} events/s offered for ${seconds} s (+${warmup} s warm-up), database ${database}, load ${loadBefore}`,
  )
  for (const [key, perSecond] of Object.entries(plan.requestRates))
    console.log(
      `  ${key}: ${perSecond.toFixed(1)} requests/s, ${plan.requests[key as keyof typeof plan.requests]} in all`,
    )
  await admin.query(`create database "${database}"`)
  let server: ChildProcess | undefined
  let cleaning: Promise<void> | undefined
  const cleanup = () => {
    cleaning ??= (async () => {
      if (server && server.exitCode === null && server.signalCode === null) {
        server.kill('SIGTERM')
        await once(server, 'exit')
      }
      await admin.query(`drop database if exists "${database}" with (force)`)
      await admin.end()
    })()
    return cleaning
  }
  for (const signal of ['SIGINT', 'SIGTERM'] as const)
    process.once(signal, () => {
      console.error(`\n${signal}: stopping the app and dropping ${database}`)
      cleanup().finally(() => process.exit(130))
    })
  try {
    console.log('  setting up the record through the API (the app prints its progress)')
    const started = await startServer(databaseUrl.toString(), plan.world)
    server = started.child
    const { info } = started
    console.log(
      `  app ready on ${info.url}: ${info.events.toLocaleString('en')} events set up in ${info.setUpSeconds.toFixed(0)} s`,
    )
    const { result, window } = await drive(info, plan, drainSeconds, await postmasterOf(admin))
    const db = new pg.Client({ connectionString: databaseUrl.toString() })
    await db.connect()
    const lost = await missingEvents(db, result.acknowledged)
    const atEnd = await readSideLag(db)
    const waited = performance.now()
    let caughtUpSeconds: number | undefined
    for (let lag = atEnd; ; lag = await readSideLag(db)) {
      if (lag.projections === 0 && lag.notary === 0) {
        caughtUpSeconds = (performance.now() - waited) / 1000
        break
      }
      if (performance.now() - waited > catchUpLimit * 1000) break
      await new Promise((r) => setTimeout(r, 1000))
    }
    await db.end()
    const cpu = cpuOver(window[0], window[1])
    const run: MixedRun = {
      command: `${process.env.BENCH_SECONDS || process.env.BENCH_RATE ? `BENCH_SECONDS=${seconds} BENCH_RATE=${rate} ` : ''}npx pnpm@10.34.9 bench:mixed`,
      plan,
      date: new Date().toISOString(),
      loadBefore,
      loadAfter: load(),
      postgres: `${settings.server_version}, same machine, over TCP; synchronous_commit=${settings.synchronous_commit}, fsync=${settings.fsync}`,
      load: result,
      cpu: { ...cpu, loadGenerator: result.cpuSeconds / seconds },
      setUp: { seconds: info.setUpSeconds, events: info.events },
      readSide: { atEnd, caughtUpSeconds, limitSeconds: catchUpLimit },
      drainSeconds,
      acknowledged: { events: result.acknowledged.length, lost },
      admission: `TREC_ADMISSION_MAX_IN_FLIGHT=${process.env.TREC_ADMISSION_MAX_IN_FLIGHT || 'default'}, TREC_ADMISSION_MAX_LATENCY_MS=${process.env.TREC_ADMISSION_MAX_LATENCY_MS || 'default'}, TREC_ADMISSION_MAX_LOOP_DELAY_MS=${process.env.TREC_ADMISSION_MAX_LOOP_DELAY_MS || 'default'}, TREC_PG_POOL_MAX=${process.env.TREC_PG_POOL_MAX || 'default'}, TREC_FRONT_THREAD=${process.env.TREC_FRONT_THREAD || 'default'}`,
    }
    const section = mixedTrafficSection(run)
    console.log(`\n${section.join('\n')}\n`)
    for (const r of result.endpoints) for (const s of r.samples) console.log(`  ${r.key} refused: ${s}`)
    if (!args['no-report']) await writeSection('mixed-traffic', section)
    console.log(verdict(run).replaceAll('**', ''))
  } finally {
    await cleanup()
  }
}

if (args.serve) {
  const { serve } = await import('./mixed-traffic-server.ts')
  await serve(args.database!, JSON.parse(args.world!) as World)
} else if (args.load) {
  const { runLoad } = await import('./mixed-traffic-load.ts')
  const go = Promise.withResolvers<void>()
  process.on('message', (m: unknown) => {
    if (m === 'go') go.resolve()
    else {
      const { info, plan, drainSeconds } = m as { info: ServerInfo; plan: MixPlan; drainSeconds: number }
      runLoad(info, plan, drainSeconds, (message) => process.send!(message), go.promise).then(
        (result) => process.send!({ type: 'result', result } satisfies LoadMessage, () => process.exit(0)),
        (error: unknown) => {
          console.error(error)
          process.exit(1)
        },
      )
    }
  })
} else {
  await main()
}
