import { readFile, writeFile } from 'node:fs/promises'
import { cpus, loadavg, totalmem } from 'node:os'
import { join } from 'node:path'

const file = join(import.meta.dirname, '../../BENCHMARKS.md')

/** The machine's load average over 1, 5 and 15 minutes, as `a / b / c`. */
export const loadAverage = () =>
  loadavg()
    .map((l) => l.toFixed(2))
    .join(' / ')

/** Replaces (or appends) the section between `<!-- name:start -->` and `<!-- name:end -->` in BENCHMARKS.md. */
export async function writeSection(name: string, lines: string[]): Promise<void> {
  const start = `<!-- ${name}:start -->`
  const end = `<!-- ${name}:end -->`
  const body = `${start}\n${lines.join('\n')}\n${end}`
  let text = await readFile(file, 'utf8').catch(() => '# Benchmarks\n')
  const a = text.indexOf(start)
  const b = text.indexOf(end)
  text =
    a >= 0 && b > a ? text.slice(0, a) + body + text.slice(b + end.length) : `${text.trimEnd()}\n\n${body}\n`
  await writeFile(file, text)
  console.log(`wrote the ${name} section of BENCHMARKS.md`)
}

export interface HttpBenchRun {
  loadBefore: string
  loadAfter: string
  /** PostgreSQL settings by name (server_version, synchronous_commit, fsync). */
  settings: Record<string, string>
  /** What was sent, one row per workload family. */
  setup: string[][]
  /** workload, throughput, p50, p99, server CPU, failed. */
  rows: string[][]
  results: { name: string; rate: number; target: number; unit: string }[]
}

const table = (header: string[], body: string[][], align: string[]) => [
  `| ${header.join(' | ')} |`,
  `| ${align.join(' | ')} |`,
  ...body.map((r) => `| ${r.join(' | ')} |`),
]

const fmt = (n: number) => Math.round(n).toLocaleString('en')

/** The BENCHMARKS.md section of the HTTP benchmark. */
export function httpBenchSection(run: HttpBenchRun): string[] {
  const { settings: pg } = run
  return [
    '## HTTP commands through the composed app',
    '',
    'The write side as a client sees it: the composed app (training, attendance, assessment and',
    'subsidy in one process) listening on 127.0.0.1 in a child process, on PostgreSQL, called with',
    '`node:http` over keep-alive connections. Every request carries a signed access token (Ed25519) and',
    'passes the whole platform: authentication and roles, zod validation, the decider, the append.',
    '',
    'Reproduce: `npx pnpm@10.34.9 run bench:http` (set `DATABASE_URL` for another server;',
    '`-- --batches 40 --commands 10000 --concurrency 32,64` for the sizes).',
    '',
    ...table(
      ['run', ''],
      [
        ['date', new Date().toISOString()],
        [
          'machine',
          `${cpus().length} cores, ${cpus()[0]?.model.trim() ?? '?'}, ${(totalmem() / 2 ** 30).toFixed(1)} GiB memory`,
        ],
        ['load average (1/5/15 min) before / after', `${run.loadBefore} — ${run.loadAfter}`],
        [
          'PostgreSQL',
          `${pg.server_version}, same machine, over TCP; synchronous_commit=${pg.synchronous_commit}, fsync=${pg.fsync}`,
        ],
        ['Node', `${process.version}; client, server and PostgreSQL share the cores`],
        ...run.setup,
      ],
      ['---', '---'],
    ),
    '',
    ...table(
      ['workload', 'throughput (median run)', 'every run', 'p50', 'p99', 'server CPU', 'failed'],
      run.rows,
      ['---', '---:', '---:', '---:', '---:', '---:', '---:'],
    ),
    '',
    ...table(
      ['target', 'wanted', 'measured', ''],
      run.results.map((r) => [
        r.name,
        `≥ ${fmt(r.target)} ${r.unit}`,
        `${fmt(r.rate)} ${r.unit}`,
        r.rate >= r.target ? 'met' : 'not met',
      ]),
      ['---', '---', '---:', '---'],
    ),
    '',
    'Latencies, server CPU and failures are those of the median run. Latencies are per request (a',
    'whole batch for face checks). Server CPU is the user + system',
    'time of the server process over the measured requests; PostgreSQL and the client use the rest.',
    'Figures from a machine shared with other work are a floor, not a measurement of the design:',
    'rerun on a quiet machine before comparing.',
  ]
}
