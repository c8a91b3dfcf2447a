// Fills a running server with a synthetic province through its public HTTP API, and writes the
// manifest of what it injected:
//
//   npm start                          # in another terminal (or any running server)
//   npm run generate -- --workers 10000 --manifest province-manifest.json --verify
//
// Tokens are signed with the development key the server keeps in its data directory (as
// `npm run token` does); give --data-dir (or TREC_DATA_DIR) when the server runs with another one.
import { writeFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { fraudRates, parseCommand, positive, range } from './cli-options.ts'
import { Api } from './live/api.ts'
import { dataDirIssuer } from './live/data-dir-issuer.ts'
import { buildLivePlan, defaultLiveOptions, livePatterns } from './live/plan.ts'
import { plannedRequests, runLiveProvince } from './live/run.ts'
import { awaitInjectedAlerts, lookUpEveryWorker } from './live/verify.ts'
import { progressBar } from './progress.ts'

const usage = `usage: npm run generate -- [--url URL] [--data-dir DIR] [--seed S] [--workers N]
         [--class-size MIN-MAX] [--sessions N] [--session-minutes M] [--lead-seconds S]
         [--fraud-rate R] [--fraud PATTERN=R,...] [--concurrency N] [--lifecycle full|attendance]
         [--manifest FILE] [--verify]

Fills a running server with a synthetic province through its public API: institutions, programmes,
classes that run now (sessions of --session-minutes from --lead-seconds after each is applied for),
workers with valid card numbers enrolled after a real-name check, signed face-check batches,
completions, assessments, certificates and claims, with fraud injected. Progress goes to stderr;
stdout gets the counts as JSON; --manifest writes which workers, classes and devices carry which
injected fraud (workers by pseudonym, never by card number).

  --url             the server (default http://127.0.0.1:\${TREC_PORT:-3000})
  --data-dir        the server's data directory, whose development key signs the tokens
                    (default \${TREC_DATA_DIR:-.data})
  --seed            any text (default trec); use a new one for each run into the same server
  --workers         workers to enrol (default 200)
  --class-size      members of a class (default ${defaultLiveOptions.classSize.join('-')})
  --sessions        sessions of a class (default ${defaultLiveOptions.sessions})
  --session-minutes length of a session (default ${defaultLiveOptions.sessionMinutes})
  --lead-seconds    from applying for a class to its first session (default ${defaultLiveOptions.leadSeconds})
  --fraud-rate      rate of every pattern (default 0.01: at least one case each; 0 for none)
  --fraud           rates of single patterns: ${livePatterns.join(', ')}
  --concurrency     requests in flight at once (default 8)
  --lifecycle       full (default) or attendance: honest classes stop once closed, without
                    completions, assessments, certificates or claims (a quarter of the requests)
  --verify          afterwards look up every worker by card number as the card service, and
                    wait for every injected case's alert

Fraud the API's own checks refuse (duplicate claims, the yearly cap, lower levels, claims without
a certificate) cannot be injected through it; \`npm run generate:store\` writes those as events.`

const { values, fail } = parseCommand(usage, {
  help: { type: 'boolean', short: 'h' },
  url: { type: 'string' },
  'data-dir': { type: 'string' },
  seed: { type: 'string', default: 'trec' },
  workers: { type: 'string', default: '200' },
  'class-size': { type: 'string' },
  sessions: { type: 'string' },
  'session-minutes': { type: 'string' },
  'lead-seconds': { type: 'string' },
  'fraud-rate': { type: 'string' },
  fraud: { type: 'string' },
  concurrency: { type: 'string', default: '8' },
  manifest: { type: 'string' },
  lifecycle: { type: 'string' },
  verify: { type: 'boolean', default: false },
})

async function main(): Promise<void> {
  const url = values.url ?? `http://127.0.0.1:${process.env.TREC_PORT ?? '3000'}`
  const options = {
    ...defaultLiveOptions,
    seed: values.seed,
    workers: Math.round(positive(values.workers, 'workers')!),
    ...(values['class-size'] ? { classSize: range(values['class-size'], 'class-size')! } : {}),
    ...(values.sessions ? { sessions: Math.round(positive(values.sessions, 'sessions')!) } : {}),
    ...(values['session-minutes']
      ? { sessionMinutes: positive(values['session-minutes'], 'session-minutes')! }
      : {}),
    ...(values.lifecycle === 'attendance' ? { lifecycle: 'attendance' as const } : {}),
    ...(values['lead-seconds'] ? { leadSeconds: positive(values['lead-seconds'], 'lead-seconds')! } : {}),
  }
  const fraud = fraudRates(livePatterns, values['fraud-rate'], values.fraud)
  const plan = buildLivePlan({ ...options, ...(fraud ? { fraud } : {}) })
  const ready = await fetch(`${url}/health/live`).catch(() => undefined)
  if (!ready?.ok) throw new Error(`no server answers at ${url}: start it (npm start) or give --url`)
  const issuer = await dataDirIssuer(resolve(values['data-dir'] ?? process.env.TREC_DATA_DIR ?? '.data'))
  const total = plannedRequests(plan)
  const bar = progressBar('requests')
  let generating = true
  const api: Api = new Api({
    url,
    issuer,
    concurrency: Math.round(positive(values.concurrency, 'concurrency')!),
    onRequest: () => {
      if (generating) bar(api.requests, Math.max(total, api.requests + 1))
    },
  })
  const started = Date.now()
  process.stderr.write(
    `${plan.workers.length} workers in ${plan.classes.length} classes of ${plan.institutions.length} institutions to ${url}\n`,
  )
  const manifest = await runLiveProvince(api, plan, url)
  generating = false
  bar(api.requests, api.requests)
  if (values.manifest) writeFileSync(values.manifest, `${JSON.stringify(manifest, null, 2)}\n`)
  const seconds = (Date.now() - started) / 1000
  let verified: object = {}
  if (values.verify) {
    const lookups = await lookUpEveryWorker(api, plan, manifest, progressBar('lookups'))
    const alerts = await awaitInjectedAlerts(api, manifest)
    verified = { lookups: lookups.lookups, found: lookups.found, alerts }
    if (lookups.missing.length > 0 || alerts.missing.length > 0) process.exitCode = 1
  }
  process.stdout.write(
    `${JSON.stringify({ ...manifest.counts, injected: manifest.injected.length, seconds, ...verified })}\n`,
  )
}

main().catch((error: unknown) => fail(error instanceof Error ? error.message : String(error)))
