// The scale run of the generator (`npm run scale:generate`): a real server (the embedded start,
// `node services/app/src/main.ts` in a child process, with a fresh data directory and port) filled
// through its public API with 10,000 workers and injected fraud, while another caller reads it;
// then every worker looked up by card number as the card service, and every injected case's
// alert awaited. Prints a JSON report (times, requests, lookups, the reader's latencies).
//
//   npm run scale:generate -- [--workers 10000] [--concurrency 8] [--lifecycle full|attendance]
//                             [--url URL --data-dir DIR]
//
// --lifecycle attendance stops each honest class once it is closed (enrolments, face checks and
// the injected fraud, not completions, assessments, certificates or claims): a quarter of the
// requests, for a machine that cannot take the full run in the time it has.
//
// With --url it uses a server already running (and --data-dir for its key) instead of starting one.
import { type ChildProcess, spawn } from 'node:child_process'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { parseArgs } from 'node:util'
import {
  Api,
  awaitInjectedAlerts,
  buildLivePlan,
  dataDirIssuer,
  defaultLiveOptions,
  lookUpEveryWorker,
  plannedRequests,
  progressBar,
  runLiveProvince,
} from '@trec/generator'
import { freePorts } from '../chaos/ports.ts'

const root = resolve(import.meta.dirname, '../..')
const { values } = parseArgs({
  args: process.argv.slice(2).filter((a) => a !== '--'),
  options: {
    workers: { type: 'string', default: '10000' },
    concurrency: { type: 'string', default: '8' },
    seed: { type: 'string', default: `scale-${Date.now()}` },
    url: { type: 'string' },
    'data-dir': { type: 'string' },
    manifest: { type: 'string' },
    lifecycle: { type: 'string', default: 'full' },
  },
})

async function startServer(dataDir: string): Promise<{ url: string; child: ChildProcess }> {
  const [port] = await freePorts(1)
  const child = spawn(process.execPath, [join(root, 'services/app/src/main.ts')], {
    cwd: root,
    env: { ...process.env, TREC_DATA_DIR: dataDir, TREC_PORT: String(port), TREC_LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'ignore', 'inherit'],
  })
  const url = `http://127.0.0.1:${port}`
  const deadline = Date.now() + 120_000
  while (
    !(await fetch(`${url}/health/live`)
      .then((r) => r.ok)
      .catch(() => false))
  ) {
    if (child.exitCode !== null) throw new Error(`the server exited (${child.exitCode}) before it answered`)
    if (Date.now() > deadline) throw new Error('the server did not answer within 120 s')
    await new Promise((r) => setTimeout(r, 250))
  }
  return { url, child }
}

function percentile(sorted: number[], p: number): number {
  return sorted.length === 0 ? 0 : sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!
}

async function main(): Promise<void> {
  const own = values.url === undefined
  const dataDir = own
    ? await mkdtemp(join(tmpdir(), 'trec-scale-generate-'))
    : resolve(values['data-dir'] ?? '.data')
  const server = own ? await startServer(dataDir) : { url: values.url!, child: undefined }
  try {
    const lifecycle = values.lifecycle === 'attendance' ? 'attendance' : 'full'
    const plan = buildLivePlan({
      ...defaultLiveOptions,
      seed: values.seed,
      workers: Number(values.workers),
      lifecycle,
    })
    const total = plannedRequests(plan)
    const bar = progressBar('requests')
    let generating = true
    const api: Api = new Api({
      url: server.url,
      issuer: await dataDirIssuer(dataDir),
      concurrency: Number(values.concurrency),
      onRequest: () => {
        if (generating) bar(api.requests, Math.max(total, api.requests + 1))
      },
    })
    process.stderr.write(
      `${plan.workers.length} workers in ${plan.classes.length} classes of ${plan.institutions.length} institutions into ${server.url}\n`,
    )
    // Another caller while the generator writes: the investigator's queue, every 500 ms.
    const reads: { ms: number; status: number }[] = []
    const reader = (async () => {
      while (generating) {
        const t = performance.now()
        const res = await fetch(`${server.url}/v1/oversight/alerts?limit=20`, {
          headers: { authorization: `Bearer ${await api.token({ sub: 'scale-auditor', role: 'auditor' })}` },
        }).catch(() => undefined)
        await res?.text()
        reads.push({ ms: performance.now() - t, status: res?.status ?? 0 })
        await new Promise((r) => setTimeout(r, 500))
      }
    })()
    const started = performance.now()
    const manifest = await runLiveProvince(api, plan, server.url).finally(() => {
      generating = false
    })
    await reader
    const generateSeconds = (performance.now() - started) / 1000
    if (values.manifest) await writeFile(values.manifest, `${JSON.stringify(manifest, null, 2)}\n`)
    const lookupStarted = performance.now()
    const lookups = await lookUpEveryWorker(api, plan, manifest, progressBar('lookups'))
    const lookupSeconds = (performance.now() - lookupStarted) / 1000
    const alerts = await awaitInjectedAlerts(api, manifest, 300_000)
    const latencies = reads.map((r) => r.ms).sort((a, b) => a - b)
    const report = {
      workers: manifest.counts.workers,
      counts: manifest.counts,
      generateSeconds: Math.round(generateSeconds),
      requestsPerSecond: Math.round(manifest.counts.requests / generateSeconds),
      lookups: { checked: lookups.lookups, found: lookups.found, seconds: Math.round(lookupSeconds) },
      alerts,
      readerWhileGenerating: {
        reads: reads.length,
        ok: reads.filter((r) => r.status === 200).length,
        p50ms: Math.round(percentile(latencies, 0.5)),
        p99ms: Math.round(percentile(latencies, 0.99)),
      },
    }
    process.stdout.write(`${JSON.stringify(report, null, 2)}\n`)
    if (lookups.missing.length > 0 || alerts.missing.length > 0) process.exitCode = 1
  } finally {
    if (server.child) {
      server.child.kill('SIGTERM')
      await new Promise((r) => server.child!.once('exit', r))
      await rm(dataDir, { recursive: true, force: true })
    }
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`)
  process.exitCode = 1
})
