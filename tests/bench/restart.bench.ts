// Restart to ready of an installed system (issue 28): an embedded store holding --events events
// (default 100,000), every read model, the detectors and the audit notary caught up, restarted as
// an operator does (`npm start`, through scripts/trec.mjs, which skips the install when the
// workspace matches the lockfile) and timed from the spawn to the first 200 of /health/ready.
//
//   pnpm bench:restart [-- --events 100000 --restarts 10 --how npm,main --no-report]
//
// Each restart is timed with the 1-minute load average at its start, and whether the launcher
// installed (it prints which); the report gives each way of starting's median, p90 and maximum.
//
// The events are appended straight into the store (a stream of ten per worker), not through the
// API: what a restart costs depends on how many events there are, not on what they say.

import { spawn } from 'node:child_process'
import { randomUUID } from 'node:crypto'
import { existsSync } from 'node:fs'
import { mkdir, mkdtemp, rm } from 'node:fs/promises'
import { loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { openPGliteEventStore, PGlite } from '@trec/eventstore/pglite'
import { freePorts } from '../chaos/ports.ts'
import { answersReady } from '../chaos/processes.ts'
import { processTreeCpu } from './mixed-traffic-cpu.ts'
import { loadAverage as load, writeSection } from './report.ts'

const { values: args } = parseArgs({
  args: process.argv.slice(2).filter((a) => a !== '--'),
  options: {
    events: { type: 'string', default: '100000' },
    restarts: { type: 'string', default: '10' },
    how: { type: 'string', default: 'npm,main' },
    'no-report': { type: 'boolean', default: false },
    /** A data directory to use and keep (filled only when it has no store yet), to compare runs on one store. */
    keep: { type: 'string' },
  },
})
const total = Number(args.events)
const root = join(import.meta.dirname, '../..')
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

async function fill(dir: string): Promise<void> {
  const db = new PGlite(join(dir, 'pglite'))
  const store = await openPGliteEventStore({ db })
  for (let i = 0; i < total; i += 1000) {
    const appends = Array.from({ length: 100 }, (_, s) => ({
      stream: `bench-${(i / 10 + s).toString(36)}`,
      events: Array.from({ length: 10 }, (_, k) => ({
        id: randomUUID(),
        type: 'BenchRecorded',
        data: { n: i + s * 10 + k },
      })),
    }))
    await store.appendMany(appends)
    if ((i / 1000) % 20 === 0) console.log(`  ${i.toLocaleString('en')} events appended`)
  }
  await store.close()
}

interface Start {
  seconds: number
  cpu: number
  /** `npm start` only: the launcher ran the package install first. */
  installed: boolean
}

/**
 * Starts `npm start` (or main.ts straight), answers seconds to ready and the CPU seconds the
 * started processes had used by then (on a shared machine, the figure that noise does not
 * inflate); then stops it with SIGTERM.
 */
async function startOnce(env: Record<string, string>, port: number, how: 'npm' | 'main'): Promise<Start> {
  const started = performance.now()
  const stdio: ['ignore', 'pipe', 'ignore'] = ['ignore', 'pipe', 'ignore']
  const child =
    how === 'npm'
      ? spawn('npm', ['start'], { cwd: root, env, stdio })
      : spawn(process.execPath, ['services/app/src/main.ts'], { cwd: root, env, stdio })
  let out = ''
  child.stdout.on('data', (chunk: Buffer) => {
    if (out.length < 10_000) out += chunk.toString()
  })
  const url = `http://127.0.0.1:${port}`
  const deadline = Date.now() + 900_000
  let seconds = Number.NaN
  let cpu = Number.NaN
  while (Date.now() < deadline) {
    if (await answersReady(url)) {
      seconds = (performance.now() - started) / 1000
      cpu = processTreeCpu(child.pid!)
      break
    }
    await sleep(50)
  }
  const exited = new Promise((r) => child.once('exit', r))
  child.kill('SIGTERM')
  await exited
  while (await answersReady(url)) await sleep(100)
  return { seconds, cpu, installed: out.includes('trec: installing') }
}

/** Nearest-rank percentile of `values` (p in 0..1). */
function percentile(values: number[], p: number): number {
  const s = [...values].sort((a, b) => a - b)
  return s[Math.max(0, Math.ceil(p * s.length) - 1)] ?? Number.NaN
}

const dir = args.keep ?? (await mkdtemp(join(tmpdir(), 'trec-restart-')))
try {
  const loadBefore = load()
  const reused = existsSync(join(dir, 'pglite'))
  if (reused) console.log(`reusing the store in ${dir}`)
  else {
    await mkdir(dir, { recursive: true })
    console.log(`appending ${total.toLocaleString('en')} events ...`)
    await fill(dir)
  }
  const [port] = await freePorts(1)
  // As an operator's shell has it: without the workspace's node_modules/.bin (whose `node` is a
  // shell script that would stand between npm and the signal this sends).
  const path = (process.env.PATH ?? '')
    .split(':')
    .filter((p) => !p.endsWith('node_modules/.bin'))
    .join(':')
  const env: Record<string, string> = {
    ...(process.env as Record<string, string>),
    PATH: path,
    TREC_STORE: 'pglite',
    TREC_DATA_DIR: dir,
    TREC_PORT: String(port),
    TREC_LOG_LEVEL: 'warn',
  }
  console.log('first start: read models, detectors and notary catch up ...')
  const { seconds: first } = await startOnce(env, port!, 'main')
  console.log(`  ready after ${first.toFixed(1)} s`)
  const hows = args.how.split(',').filter((h): h is 'npm' | 'main' => h === 'npm' || h === 'main')
  const restarts: (Start & { how: 'npm' | 'main'; load: number })[] = []
  for (let i = 0; i < Number(args.restarts); i++)
    for (const how of hows) {
      const loadNow = loadavg()[0]!
      const start = await startOnce(env, port!, how)
      console.log(
        `  restart (${how === 'npm' ? 'npm start' : 'node main.ts'}): ready after ${start.seconds.toFixed(2)} s, ${start.cpu.toFixed(2)} CPU s, load ${loadNow.toFixed(2)}${start.installed ? ', installed first' : ''}`,
      )
      restarts.push({ ...start, how, load: loadNow })
    }
  const label = { npm: '`npm start`', main: '`node services/app/src/main.ts`' }
  const summary = hows.map((how) => {
    const of = restarts.filter((r) => r.how === how)
    const secs = of.map((r) => r.seconds)
    const cpus = of.map((r) => r.cpu)
    const loads = of.map((r) => r.load)
    const f = (n: number) => n.toFixed(2)
    return `| ${label[how]} | ${of.length} | ${f(percentile(secs, 0.5))} | ${f(percentile(secs, 0.9))} | ${f(Math.max(...secs))} | ${f(percentile(cpus, 0.5))} / ${f(Math.max(...cpus))} | ${of.filter((r) => r.seconds <= 3).length} of ${of.length} | ${Math.min(...loads).toFixed(1)}–${Math.max(...loads).toFixed(1)} |`
  })
  const lines = [
    '## Restart to ready (embedded store)',
    '',
    `An embedded store of ${total.toLocaleString('en')} events (appended straight into the store, ten per`,
    'stream), first started until every read model, the detectors and the audit notary had caught up,',
    'then stopped (SIGTERM) and started again, timed from the spawn to the first 200 of /health/ready',
    '(which waits until every follower of the feed is within 1 s of its head). `npm start` goes through',
    'scripts/trec.mjs, which finds the workspace installed as the lockfile says and skips the install',
    '(a restart where it did install says so).',
    '',
    `Reproduce: \`pnpm bench:restart\` (\`-- --events ${total} --restarts ${args.restarts} --how ${args.how}\`).`,
    '',
    `Run ${new Date().toISOString()}; load average (1/5/15 min) ${loadBefore} before, ${load()} after (a shared machine, 2 cores).`,
    '',
    'CPU seconds: user and system time of the started processes (npm, the launcher and the server for',
    '`npm start`) when ready answered; a process given a fraction of a core takes longer, not more CPU.',
    'Load: the 1-minute load average when each restart began.',
    '',
    '| start | restarts | median s | p90 s | max s | CPU s median / max | ≤ 3 s | load (1 min) |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...summary,
    '',
    '| # | start | seconds to ready | CPU seconds | load (1 min) |',
    '| ---: | --- | ---: | ---: | ---: |',
    `| 0 | first start (${reused ? 'a kept store, caught up before' : `catch-up of ${total.toLocaleString('en')} events`}) | ${first.toFixed(1)} | | |`,
    ...restarts.map(
      (r, i) =>
        `| ${i + 1} | restart, ${label[r.how]}${r.installed ? ' (installed first)' : ''} | ${r.seconds.toFixed(2)} | ${r.cpu.toFixed(2)} | ${r.load.toFixed(2)} |`,
    ),
  ]
  if (!args['no-report']) await writeSection('restart', lines)
  else console.log(lines.join('\n'))
} finally {
  if (!args.keep) await rm(dir, { recursive: true, force: true })
}
