import type { MachineFacts } from './machine.ts'
import type { Measurement } from './runner.ts'

export interface ResultRow {
  workload: string
  trec?: Measurement
  messageDb?: Measurement
  bare?: Measurement
}

export interface Target {
  what: string
  wanted: string
  measured: string
  met: boolean | undefined
}

export interface RunFacts {
  machine: MachineFacts
  seconds: number
  warmupSeconds: number
  payloadBytes: number
  readLimit: number
  loadBefore: string
  loadAfter: string
  messageDbVersion: string
  /** Message DB's batches written as one SQL statement (extra line, see the notes). */
  messageDbBatchOneStatement?: Measurement
  command: string
}

export const headers = [
  'workload',
  'trec events/s',
  'Message DB events/s',
  'bare limit events/s',
  'trec/MessageDB',
  'trec/limit',
]

export function rate(m: Measurement | undefined): string {
  return m ? Math.round(m.rate).toLocaleString('en-US') : '—'
}

function ratio(a: Measurement | undefined, b: Measurement | undefined): string {
  if (!a || !b || b.rate === 0) return '—'
  const r = a.rate / b.rate
  return `${r >= 10 ? r.toFixed(0) : r.toFixed(2)}×`
}

export function cells(row: ResultRow): string[] {
  return [
    row.workload,
    rate(row.trec),
    rate(row.messageDb),
    rate(row.bare),
    ratio(row.trec, row.messageDb),
    ratio(row.trec, row.bare),
  ]
}

/** A fixed-width table for the terminal. */
export function textTable(rows: ResultRow[]): string {
  const lines = [headers, ...rows.map(cells)]
  const widths = headers.map((_, i) => Math.max(...lines.map((l) => l[i]!.length)))
  const format = (l: string[]) =>
    l.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join(' | ')
  return [
    format(lines[0]!),
    widths.map((w) => '-'.repeat(w)).join('-|-'),
    ...lines.slice(1).map(format),
  ].join('\n')
}

/**
 * A Markdown table laid out the way the repository's formatter lays it out (cells padded to the
 * column's width, at least 3; right-aligned columns padded on the left), so the file stays clean.
 */
function markdownTable(head: string[], rows: string[][], alignRight = true): string {
  const right = (i: number) => i > 0 && alignRight
  const width = (text: string) => [...text].length
  const widths = head.map((_, i) => Math.max(3, ...[head, ...rows].map((r) => width(r[i] ?? ''))))
  const pad = (text: string, i: number) => {
    const fill = ' '.repeat(widths[i]! - width(text))
    return right(i) ? fill + text : text + fill
  }
  const line = (cellsOfRow: string[]) => `| ${cellsOfRow.map(pad).join(' | ')} |`
  const separator = widths.map((w, i) => (right(i) ? `${'-'.repeat(w - 1)}:` : '-'.repeat(w)))
  return [line(head), `| ${separator.join(' | ')} |`, ...rows.map(line)].join('\n')
}

const verdict = (met: boolean | undefined) => (met === undefined ? '—' : met ? 'met' : 'not met')

/** trec's throughput against a floor in events/s. */
export function floorTarget(what: string, floor: number, m: Measurement | undefined): Target {
  return {
    what,
    wanted: `≥ ${floor.toLocaleString('en-US')} events/s`,
    measured: m ? `${rate(m)} events/s` : '—',
    met: m ? m.rate >= floor : undefined,
  }
}

/** trec ahead of Message DB on one line of the table. */
export function aheadTarget(row: ResultRow): Target {
  return {
    what: `ahead of Message DB: ${row.workload}`,
    wanted: 'trec > Message DB',
    measured: `${rate(row.trec)} vs ${rate(row.messageDb)}`,
    met: row.trec && row.messageDb ? row.trec.rate > row.messageDb.rate : undefined,
  }
}

export function targetText(t: Target): string {
  return `${verdict(t.met).padEnd(7)}  ${t.what}: ${t.measured} (wanted ${t.wanted})`
}

function targetLines(targets: Target[]): string[][] {
  return targets.map((t) => [t.what, t.wanted, t.measured, verdict(t.met)])
}

function cpu(m: Measurement | undefined): string {
  return m ? Math.round(m.clientCpuUsPerEvent).toLocaleString('en-US') : '—'
}

export function markdownSection(rows: ResultRow[], targets: Target[], run: RunFacts): string {
  const m = run.machine
  const s = m.settings
  const extra = run.messageDbBatchOneStatement
  const runFacts = [
    ['date', m.date],
    ['machine', `${m.cores} cores, ${m.cpuModel}, ${m.memoryGiB} GiB memory`],
    ['load average (1/5/15 min) before / after', `${run.loadBefore} — ${run.loadAfter}`],
    ['PostgreSQL', `${m.postgres}, on the same machine, over TCP`],
    [
      'durability',
      `synchronous_commit=${s.synchronous_commit}, fsync=${s.fsync}, wal_sync_method=${s.wal_sync_method}, full_page_writes=${s.full_page_writes}`,
    ],
    ['memory, connections', `shared_buffers=${s.shared_buffers}, max_connections=${s.max_connections}`],
    ['Node', `${m.node} (client and server share the cores)`],
    ['per cell', `${run.warmupSeconds} s warm-up, then ${run.seconds} s measured`],
    ['event', `${run.payloadBytes} bytes of JSON (data + metadata), a \`FaceCheckRecorded\``],
  ]
  return `## Event store: appends and global-feed reads

trec's PostgreSQL adapter against [Message DB](https://github.com/message-db/message-db)
(\`@eventide/message-db\` ${run.messageDbVersion}; Eventide, MIT) and against the bare
limit of the same server (plain INSERT/SELECT on a table with no index), in one process run,
on the same events.

Reproduce: \`${run.command}\` (set \`DATABASE_URL\` for another server,
\`BENCH_SECONDS\` for the measured seconds per cell).

${markdownTable(['run', ''], runFacts, false)}

${markdownTable(headers, rows.map(cells))}

${extra ? `Message DB with each batch of 100 sent as **one** statement (\`select write_message(...) from\njsonb_array_elements($1)\`, one round trip instead of 102): ${rate(extra)} events/s.\n\n` : ''}Targets (trec):

${markdownTable(['target', 'wanted', 'measured', ''], targetLines(targets), false)}

CPU time of the Node process (the client: driver, validation, serialisation) per event, µs:

${markdownTable(
  ['workload', 'trec', 'Message DB', 'bare limit'],
  rows.map((r) => [r.workload, cpu(r.trec), cpu(r.messageDb), cpu(r.bare)]),
)}

How it is measured:

- Each system gets its own database on the same server, created at the start and dropped at the
  end; cells run interleaved (trec, Message DB, bare for one workload, then the next workload) so
  a change of background load hits all three alike. Each cell starts after an \`ANALYZE\` of the
  system's tables (fresh statistics, as autovacuum keeps them in a steady state) and a
  \`CHECKPOINT\`.
- Before the first cell, each system gets one untimed round of single appends and of batches
  (the JIT compiles the client code, the server warms its caches).
- A cell runs _n_ loops in one Node process, each awaiting one operation after another, for the
  warm-up and then for the measured time; events/s = events completed / elapsed time. Each
  system gets a connection pool of exactly _n_ connections for the cell.
- **Single-event appends**: 10,000 worker streams (\`attendance-{pseudonym}\`), taken round-robin;
  each append writes one event with no expected-revision check (trec \`expectedRevision: 'any'\`,
  Message DB \`expected_version\` null, bare: a one-row INSERT). Autocommit, so every event is one
  durable commit.
- **Batches of 100**: each batch writes 100 events to a fresh stream in one transaction, 4 loops.
  trec: one \`append\` call (one statement). Message DB has no batch API: 100 \`write_message\`
  calls between BEGIN and COMMIT on one connection, as its clients do. Bare: one 100-row
  multi-row INSERT. (COPY was not measured: \`pg-copy-streams\` is not a dependency.)
- **Global feed read**: one reader, batches of 1,000 from the start, over the first
  ${run.readLimit.toLocaleString('en-US')} events each system holds (the smallest store's count, so all read the same
  amount), starting again from the start until the time is up; tables are \`VACUUM ANALYZE\`d
  first. trec: \`readAll({ after, maxCount: 1000 })\`, which returns parsed events. Message DB:
  \`get_category_messages('attendance', position, 1000)\` with \`data\`/\`metadata\` parsed from the
  text it returns; Message DB has no reader over all streams, so the whole workload is written to
  one category and the category read stands in for the global feed (its only other all-streams
  reader is the \`messages\` table itself). Bare: a server-side cursor over \`SELECT * FROM\` the
  table, \`FETCH 1000\` at a time (no order: no index to order by).
- Message DB takes a per-category advisory lock in \`write_message\` (held until commit), so all
  writers of one category are serialised; with every stream in \`attendance\`, its concurrency 8
  and 64 lines measure that design, not a tuning choice.
- Message DB was installed by running its own SQL files in the order of its \`install.sh\`, except
  the login role \`message_store\` (cluster-wide; it would outlive the bench) and the GRANTs to that
  role; the bench connects as the server's user with \`search_path=message_store,public\`, as
  Message DB's clients set it.
- Client and server run on the same cores, so the client's CPU time (last table) is taken from
  the server's budget: on 2 cores, every µs the Node process spends per event is one the
  database cannot.
`
}
