import { readFile, writeFile } from 'node:fs/promises'
import { cpus, loadavg, totalmem } from 'node:os'
import { join } from 'node:path'

const file = join(import.meta.dirname, '../../BENCHMARKS.md')

/** The machine's load average over 1, 5 and 15 minutes, as `a / b / c`. */
export const loadAverage = () =>
  loadavg()
    .map((l) => l.toFixed(2))
    .join(' / ')

/** What `spliceSection` did: replaced the marked section, appended a new one, or repaired a broken pair. */
export type Splice = 'replaced' | 'appended' | 'unclosed'

/**
 * Puts `lines` between `<!-- name:start -->` and `<!-- name:end -->` in `text`, each marker on a
 * line of its own. A complete pair (the first start line and the first end line after it) is
 * replaced, so a rerun replaces its section wherever it stands and leaves the rest as it was;
 * text without the start marker gets the section at its end. A start marker with no end marker
 * after it is replaced by the whole new section, and what followed it is left where it was: where
 * the old section ended cannot be known, and guessing could take the next section with it (the
 * writer warns; the old text is then removed by hand).
 */
export function spliceSection(text: string, name: string, lines: string[]): { text: string; did: Splice } {
  const start = `<!-- ${name}:start -->`
  const end = `<!-- ${name}:end -->`
  const body = `${start}\n${lines.join('\n')}\n${end}`
  const a = lineAt(text, start, 0)
  if (a < 0) return { text: `${text.trimEnd()}\n\n${body}\n`, did: 'appended' }
  const b = lineAt(text, end, a + start.length)
  if (b < 0) return { text: text.slice(0, a) + body + text.slice(a + start.length), did: 'unclosed' }
  return { text: text.slice(0, a) + body + text.slice(b + end.length), did: 'replaced' }
}

/** Index of the first line from `from` on that is exactly `line`, or -1. */
function lineAt(text: string, line: string, from: number): number {
  for (let i = text.indexOf(line, from); i >= 0; i = text.indexOf(line, i + 1)) {
    const after = text[i + line.length]
    if ((i === 0 || text[i - 1] === '\n') && (after === undefined || after === '\n' || after === '\r'))
      return i
  }
  return -1
}

/**
 * Writes a bench's section of BENCHMARKS.md (see `spliceSection`): each bench owns one section,
 * named by it, and a rerun replaces that section.
 */
export async function writeSection(name: string, lines: string[], path = file): Promise<void> {
  const current = await readFile(path, 'utf8').catch(() => '# Benchmarks\n')
  const { text, did } = spliceSection(current, name, lines)
  await writeFile(path, text)
  if (did === 'unclosed')
    console.warn(
      `BENCHMARKS.md had <!-- ${name}:start --> with no end marker after it: the new section was put there and the text that followed it was left; remove the old section by hand`,
    )
  console.log(`wrote the ${name} section of BENCHMARKS.md (${did})`)
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
