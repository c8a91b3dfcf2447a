// The lists people work from, on the 1,000,000-event province (issue 24): each list's first page
// and the page reached by following `nextCursor` 50 pages deep, timed over real HTTP with a signed
// token against the composed app (`services/app/src/main.ts` in a child process, TREC_STORE=postgres).
// The province is built once into a database of its own (tests/bench/bench-province.ts) and reused
// by later runs; so are the read models the app builds from it (their checkpoints are in the same
// database) and the app's data directory (.data/bench-<name>: its token key and secrets).
//
//   npx pnpm@10.34.9 bench:lists -- [--name province-1m] [--events 1000000] [--requests 200]
//                                     [--depth 50] [--limit 50] [--only claims,alerts] [--no-report]
//                                     [--catch-up-seconds N]
//
// Requests go one after another (one in flight), first page and deep page interleaved, so both
// see the same background load. CPU per request: the app's process and the whole PostgreSQL
// server over the measured window (Linux /proc), divided by the requests answered.
import { type ChildProcess, spawn } from 'node:child_process'
import { mkdir } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import { parseArgs } from 'node:util'
import { postgresForTests } from '@trec/eventstore/testing'
import { dataDirIssuer } from '@trec/generator'
import pg from 'pg'
import { freePorts } from '../chaos/ports.ts'
import { machine, postgresSettings } from '../scale/machine.ts'
import { progress } from '../scale/progress.ts'
import { benchProvince } from './bench-province.ts'
import { type ExplainedPage, explainPage, listStatements, positionOf } from './lists-explain.ts'
import { postgresCpu, postmasterOf, processCpu } from './mixed-traffic-cpu.ts'
import { loadAverage, writeSection } from './report.ts'

const root = resolve(import.meta.dirname, '../..')
const { values } = parseArgs({
  args: process.argv.slice(2).filter((a) => a !== '--'),
  options: {
    name: { type: 'string', default: 'province-1m' },
    events: { type: 'string', default: '1000000' },
    requests: { type: 'string', default: '200' },
    depth: { type: 'string', default: '50' },
    limit: { type: 'string', default: '50' },
    /** Only the lists whose name contains one of these (comma-separated), e.g. `claims,alerts`. */
    only: { type: 'string' },
    /** Seconds to wait for the read side; past them the lists are timed where it stands (and the report says so). */
    'catch-up-seconds': { type: 'string' },
    'no-report': { type: 'boolean', default: false },
  },
})
const requests = Number(values.requests)
const depth = Number(values.depth)
const limit = Number(values.limit)
const target = 50

type Who = Parameters<Awaited<ReturnType<typeof dataDirIssuer>>['mint']>[0]
const auditor: Who = { sub: 'bench-auditor', role: 'auditor' }
const investigator: Who = { sub: 'bench-investigator', role: 'investigator', region: '13' }
// 邢台 (1305xx): among the cities with the most claims in the generated province.
const cityOfficer: Who = { sub: 'bench-officer', role: 'subsidy_officer', region: '1305' }

/** A list as the bench reads it: where, as whom, and how its next page is asked for. */
interface ListCase {
  name: string
  path: string
  who: Who
  /** The query of the page after `page` (its cursor); undefined on the last. */
  next(page: { nextCursor?: string }): string | undefined
}
const byCursor = (p: { nextCursor?: string }) =>
  p.nextCursor === undefined ? undefined : `cursor=${encodeURIComponent(p.nextCursor)}`

const percentile = (sorted: number[], q: number) =>
  sorted.length === 0 ? 0 : sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!
const ms = (n: number) => `${n.toFixed(1)} ms`

async function startApp(url: string, dataDir: string): Promise<{ base: string; child: ChildProcess }> {
  const [port] = await freePorts(1)
  const child = spawn(process.execPath, [join(root, 'services/app/src/main.ts')], {
    cwd: root,
    env: {
      ...process.env,
      TREC_STORE: 'postgres',
      DATABASE_URL: url,
      TREC_DATA_DIR: dataDir,
      TREC_PORT: String(port),
      TREC_LOG_LEVEL: 'warn',
      // One caller sends every request of the bench: no per-caller rate limit.
      TREC_RATE_LIMIT_MAX: '0',
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  })
  const base = `http://127.0.0.1:${port}`
  const deadline = Date.now() + 180_000
  while (
    !(await fetch(`${base}/health/live`)
      .then((r) => r.ok)
      .catch(() => false))
  ) {
    if (child.exitCode !== null) throw new Error(`the app exited (${child.exitCode}) before it answered`)
    if (Date.now() > deadline) throw new Error('the app did not answer within 180 s')
    await new Promise((r) => setTimeout(r, 500))
  }
  return { base, child }
}

/** Waits until every follower of the feed (read models, detectors, notary) stands at the store's head. */
async function catchUp(
  base: string,
  head: () => Promise<string>,
  total: number,
  deadline: number,
): Promise<{ seconds: number; behind: string[] }> {
  const bar = progress('read side: catch-up')
  const started = performance.now()
  const seconds = () => Math.round((performance.now() - started) / 1000)
  let last = ''
  for (;;) {
    const report = (await (await fetch(`${base}/health/ready`)).json()) as {
      status: string
      checks: Record<string, { ready: boolean; lag?: number; position?: string }>
    }
    const at = await head()
    const checks = Object.entries(report.checks).filter(([name]) => name !== 'store')
    const behind = checks.filter(
      ([, c]) => !c.ready || (c.lag ?? 0) > 0 || (c.position !== undefined && c.position !== at),
    )
    const lag = Math.max(0, ...checks.map(([, c]) => c.lag ?? 0))
    bar.update(Math.max(0, total - lag), total, `(${behind.map(([n]) => n).join(', ') || 'all at the head'})`)
    const now = `${at}:${behind.length}`
    if (behind.length === 0 && now === last) {
      bar.finish()
      return { seconds: seconds(), behind: [] }
    }
    if (Date.now() > deadline) {
      bar.finish('(gave up waiting)')
      return { seconds: seconds(), behind: behind.map(([name]) => name) }
    }
    last = now
    // Each readiness answer counts every follower's lag by reading the feed (up to 100,000 events
    // each): asked often, it would slow the catch-up it waits for.
    await new Promise((r) => setTimeout(r, behind.length > 0 ? 15_000 : 2000))
  }
}

/** How far each read model stands, as events of the feed applied (from the runner's checkpoints), for a report of a run that did not wait. */
async function appliedShares(pool: pg.Pool, total: number): Promise<string[]> {
  const { rows } = await pool.query<{ name: string; applied: string }>(
    `select c.name, (select count(*) from trec.events e where e.position <= (c.lanes->>'feed')::int8)::text as applied
       from trec_read.checkpoints c where c.name in ('subsidy_claims', 'compliance', 'oversight_alerts', 'oversight_casework')
      order by c.name`,
  )
  return rows.map((r) => `${r.name} ${Math.round((100 * Number(r.applied)) / total)}% of the events`)
}

async function main(): Promise<void> {
  const server = await postgresForTests()
  if ('skip' in server) throw new Error(server.skip)
  const loadBefore = loadAverage()
  console.error(
    `bench:lists: province ${values.name} (${Number(values.events).toLocaleString('en')} events); load ${loadBefore}`,
  )
  const province = await benchProvince(server.url, values.name!, Number(values.events))
  console.error(
    province.built
      ? `built ${province.database}: ${province.events.toLocaleString('en')} events in ${province.buildSeconds} s`
      : `reusing ${province.database}: ${province.events.toLocaleString('en')} events`,
  )
  const pool = new pg.Pool({ connectionString: province.url, max: 2, application_name: 'trec-bench-lists' })
  pool.on('error', () => undefined)
  const admin = new pg.Client({ connectionString: province.url })
  await admin.connect()
  const postmaster = await postmasterOf(admin)
  const head = async () =>
    (await pool.query<{ p: string | null }>('select max(position)::text as p from trec.events')).rows[0]!.p ??
    '0'
  const dataDir = join(root, '.data', `bench-${values.name}`)
  await mkdir(dataDir, { recursive: true })
  const app = await startApp(province.url, dataDir)
  try {
    const stored = Number(
      (await pool.query<{ n: string }>('select count(*)::text as n from trec.events')).rows[0]!.n,
    )
    const waitSeconds =
      values['catch-up-seconds'] === undefined ? Infinity : Number(values['catch-up-seconds'])
    const caught = await catchUp(app.base, head, stored, Date.now() + waitSeconds * 1000)
    const readSide = caught.behind.length === 0 ? [] : await appliedShares(pool, stored)
    const issuer = await dataDirIssuer(dataDir)
    const tokens = new Map<Who, string>()
    const tokenOf = async (who: Who) => {
      const known = tokens.get(who)
      if (known) return known
      const minted = await issuer.mint({ ...who })
      tokens.set(who, minted)
      return minted
    }
    const get = async (path: string, who: Who) => {
      const res = await fetch(`${app.base}${path}`, {
        headers: { authorization: `Bearer ${await tokenOf(who)}` },
      })
      const body = (await res.json()) as Record<string, unknown>
      if (res.status !== 200) throw new Error(`GET ${path}: ${res.status} ${JSON.stringify(body)}`)
      return body
    }

    // One worker whose access log is long enough to page 50 deep: each read of the log is itself
    // logged, so reading it tops it up. The worker with the longest log, so a later run finds the
    // one an earlier run topped up.
    const [longest] = (
      await pool.query<{ name: string }>(
        "select name from trec.streams where category = 'access' order by revision desc, name limit 1",
      )
    ).rows
    const worker =
      longest?.name.slice('access-'.length) ??
      ((await get('/v1/claims?limit=1', auditor)) as { items: { worker: string }[] }).items[0]?.worker
    if (!worker) throw new Error('the province has no claims')
    const cases: ListCase[] = [
      { name: 'claims', path: '/v1/claims', who: auditor, next: byCursor },
      {
        name: 'claims, one city, submitted',
        path: '/v1/claims?region=1305&status=submitted',
        who: cityOfficer,
        next: byCursor,
      },
      { name: 'payments', path: '/v1/compliance/payments', who: auditor, next: byCursor },
      { name: 'alerts', path: '/v1/oversight/alerts', who: investigator, next: byCursor },
      { name: 'alerts, open', path: '/v1/oversight/alerts?status=open', who: investigator, next: byCursor },
      { name: 'cases', path: '/v1/oversight/cases', who: investigator, next: byCursor },
      { name: 'audit checkpoints', path: '/v1/audit/checkpoints', who: auditor, next: byCursor },
      {
        name: "access log (one worker's)",
        path: `/v1/archive/access-log?worker=${worker}`,
        who: auditor,
        next: byCursor,
      },
    ]
    const only = values.only?.split(',').filter(Boolean)
    const chosen = only ? cases.filter((c) => only.some((o) => c.name.includes(o))) : cases
    const logLength = async () =>
      Number(
        (
          await pool.query<{ n: string }>('select count(*)::text as n from trec.events where stream = $1', [
            `access-${worker}`,
          ])
        ).rows[0]!.n,
      )
    const wanted = (depth + 1) * limit
    const have = await logLength()
    if (have < wanted && chosen.some((c) => c.path.startsWith('/v1/archive/access-log'))) {
      const bar = progress(`access log of one worker: ${wanted.toLocaleString('en')} reads`)
      for (let n = have; n < wanted; n++) {
        await get(`/v1/archive/access-log?worker=${worker}&limit=1`, auditor)
        if (n % 50 === 0) bar.update(n, wanted)
      }
      bar.finish()
    }

    const with_ = (path: string, query: string) => `${path}${path.includes('?') ? '&' : '?'}${query}`
    const rows: string[][] = []
    const statements = await listStatements(pool, limit, worker)
    const explained: [string, string, ExplainedPage][] = []
    const results: { name: string; first: number; deep: number; pages: number }[] = []
    for (const c of chosen) {
      // Walk down by cursor to the page `depth` pages after the first (or the last there is).
      const first = with_(c.path, `limit=${limit}`)
      let deep = first
      let deepCursor: string | undefined
      let pages = 0
      while (pages < depth) {
        const page = (await get(deep, c.who)) as { nextCursor?: string }
        const nextQuery = c.next(page)
        if (nextQuery === undefined) break
        deep = with_(first, nextQuery)
        deepCursor = page.nextCursor
        pages += 1
      }
      const firstMs: number[] = []
      const deepMs: number[] = []
      const bar = progress(`${c.name}: ${requests} × (first page, page ${pages + 1})`)
      // Untimed warm-up: a few of each.
      for (let i = 0; i < 5; i++) {
        await get(first, c.who)
        await get(deep, c.who)
      }
      const cpuFrom = { app: processCpu(app.child.pid!), postgres: postgresCpu(postmaster) }
      for (let i = 0; i < requests; i++) {
        for (const [path, into] of [
          [first, firstMs],
          [deep, deepMs],
        ] as const) {
          const t = performance.now()
          await get(path, c.who)
          into.push(performance.now() - t)
        }
        bar.update(i + 1, requests)
      }
      const n = requests * 2
      const appCpu = ((processCpu(app.child.pid!) - cpuFrom.app) * 1e3) / n
      const pgCpu = ((postgresCpu(postmaster) - cpuFrom.postgres) * 1e3) / n
      bar.finish()
      const a = firstMs.sort((x, y) => x - y)
      const b = deepMs.sort((x, y) => x - y)
      results.push({ name: c.name, first: percentile(a, 0.99), deep: percentile(b, 0.99), pages })
      rows.push([
        c.name,
        `\`${c.path.replace(worker, '{worker}')}\``,
        ms(percentile(a, 0.5)),
        ms(percentile(a, 0.99)),
        String(pages + 1),
        ms(percentile(b, 0.5)),
        ms(percentile(b, 0.99)),
        `${appCpu.toFixed(2)} / ${pgCpu.toFixed(2)} ms`,
        percentile(a, 0.99) <= target && percentile(b, 0.99) <= target ? 'yes' : 'no',
      ])
      console.error(`${c.name}: ${rows.at(-1)!.join(' | ')}; load ${loadAverage()}`)
      // The same pages as PostgreSQL runs them, the load aside.
      const statement = statements[c.name]
      if (statement) {
        const after = deepCursor === undefined ? undefined : positionOf(deepCursor)
        explained.push([c.name, 'first', await explainPage(pool, statement(undefined))])
        explained.push([c.name, `page ${pages + 1}`, await explainPage(pool, statement(after))])
        if (c.name === 'payments')
          explained.push([
            'payments: summary',
            'every page',
            await explainPage(pool, statements['payments: summary']!(undefined)),
          ])
      }
    }
    const loadAfter = loadAverage()
    const section = [
      '## Lists on the 1,000,000-event province',
      '',
      `Each list's first page and the page reached by following \`nextCursor\` ${depth} pages deep, ${limit} items a page, over real HTTP with a signed token, against the composed app on PostgreSQL with its read side caught up. ${requests} requests of each page, one in flight, first and deep page taken in turn.`,
      '',
      `Reproduce: \`npx pnpm@10.34.9 bench:lists\` (\`-- --requests N --depth N --limit N\`; \`--name\`/\`--events\` for another province). The province (\`pnpm scale\`'s generator, seed \`${values.name}\`) is built once into the database \`${province.database}\` and reused; so are the read models the app builds from it.`,
      '',
      '| run | |',
      '| --- | --- |',
      ['date', new Date().toISOString()].join(' | ').replace(/^/, '| ').concat(' |'),
      `| machine | ${machine()} |`,
      `| load average (1/5/15 min) before / after | ${loadBefore} — ${loadAfter} |`,
      `| PostgreSQL | ${await postgresSettings(pool)} |`,
      `| Node | ${process.version}; client, app and PostgreSQL share the cores |`,
      `| province | ${province.events.toLocaleString('en')} events (${province.built ? `built in ${province.buildSeconds} s` : 'reused'}); ${caught.behind.length === 0 ? `read side caught up in ${caught.seconds} s` : `**read side not caught up** after ${caught.seconds} s (${caught.behind.join(', ')} behind): the lists were timed on read models holding ${readSide.join('; ')}`} |`,
      '',
      '| list | request | first page p50 | first page p99 | deep page | deep page p50 | deep page p99 | CPU per request: app / PostgreSQL | p99 ≤ 50 ms |',
      '| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |',
      ...rows.map((r) => `| ${r.join(' | ')} |`),
      '',
      `**Target p99 ≤ ${target} ms for the first page and the page ${depth} deep: ${results.every((r) => r.first <= target && r.deep <= target) ? 'met' : 'not met'} on every list.** A list with fewer than ${depth + 1} pages is read as deep as it goes (the "deep page" column says which page).`,
      '',
      `\`EXPLAIN ANALYZE\` of the statement each page sends (prepared and run as the app's connections run it; median execution time of 5 runs, the load aside) and its plan:`,
      '',
      '| list | page | EXPLAIN ANALYZE | plan |',
      '| --- | --- | ---: | --- |',
      ...explained.map(([name, page, e]) => `| ${name} | ${page} | ${e.ms.toFixed(2)} ms | ${e.plan} |`),
      '',
      'Latencies include the client (`fetch`) and the app writing its access event where the list logs a read (the access log, a claims list filtered to one worker). CPU per request is user + system time over the measured window divided by the requests: the app process, and the whole PostgreSQL server (other databases on it included).',
    ]
    console.log(section.join('\n'))
    if (!values['no-report']) await writeSection('lists-bench', section)
  } finally {
    app.child.kill('SIGTERM')
    await new Promise((r) => app.child.once('exit', r))
    await admin.end()
    await pool.end()
  }
}

main().catch((error: unknown) => {
  console.error(error)
  process.exitCode = 1
})
