// Event-store throughput: trec's PostgreSQL adapter vs Message DB vs the bare limit of the same
// PostgreSQL server, on the same face-check events. Prints progress and a table, and writes its
// section of BENCHMARKS.md (at the repository root).
//
//   npx pnpm@10.34.9 run bench:store        BENCH_SECONDS=1 for a smoke run
//
// Env: DATABASE_URL (default the local test server), BENCH_SECONDS (measured seconds per cell,
// default 5), BENCH_WARMUP_SECONDS (default a fifth of that, 0.2–1 s), BENCH_MARKDOWN=0 to leave
// BENCHMARKS.md alone.

import { writeSection } from '../../../tests/bench/report.ts'
import { bareSystem } from './bare-system.ts'
import { DatabaseAdmin, redactUrl, serverUrl } from './databases.ts'
import { loadAverage, machineFacts } from './machine.ts'
import { installMessageDb, messageDbSystem, messageDbVersion } from './message-db-system.ts'
import { batchStream, eventAt, makePayloads, workerCount } from './payload.ts'
import {
  aheadTarget,
  floorTarget,
  markdownSection,
  type ResultRow,
  type RunFacts,
  type Target,
  targetText,
  textTable,
} from './report.ts'
import { type Measurement, measure } from './runner.ts'
import type { BenchSession, BenchSystem } from './system.ts'
import { trecSystem } from './trec-system.ts'

const seconds = Number(process.env.BENCH_SECONDS ?? 5)
const warmupSeconds = Number(process.env.BENCH_WARMUP_SECONDS ?? Math.min(1, Math.max(0.2, seconds / 5)))
if (!(seconds > 0) || !(warmupSeconds >= 0))
  throw new Error('BENCH_SECONDS must be > 0, BENCH_WARMUP_SECONDS ≥ 0')

const singleConcurrencies = [1, 8, 64]
const batchSize = 100
const batchConcurrency = 4
const readBatch = 1000
const databases = { trec: 'trec_bench_trec', messageDb: 'trec_bench_messagedb', bare: 'trec_bench_bare' }
const command = 'npx pnpm@10.34.9 run bench:store'

const log = (line: string) => process.stdout.write(`${line}\n`)
const fmt = (n: number) => Math.round(n).toLocaleString('en-US')

/** Where the next event / batch of each database comes from: the same sequence for every system. */
interface Sequence {
  event: number
  batch: number
}

type Key = 'trec' | 'messageDb' | 'bare'

interface Contender {
  key: Key
  system: BenchSystem
  sequence: Sequence
}

const admin = new DatabaseAdmin(serverUrl())
const opened: BenchSystem[] = []
let cleaning: Promise<void> | undefined

function cleanUp(): Promise<void> {
  cleaning ??= (async () => {
    for (const system of opened) await system.end().catch(() => undefined)
    await admin.dropAll().catch((e: Error) => log(`could not drop the bench databases: ${e.message}`))
    await admin.end().catch(() => undefined)
  })()
  return cleaning
}

process.once('SIGINT', () => {
  log('\ninterrupted: dropping the bench databases')
  void cleanUp().finally(() => process.exit(130))
})

let cell = 0
const totalCells = (singleConcurrencies.length + 2) * 3 + 1

async function run(
  contender: Contender,
  label: string,
  concurrency: number,
  op: (session: BenchSession) => () => Promise<number>,
): Promise<Measurement> {
  cell++
  await contender.system.analyze()
  await admin.checkpoint()
  log(
    `[${String(cell).padStart(2)}/${totalCells}] ${contender.system.name} · ${label} · ${warmupSeconds} s warm-up + ${seconds} s`,
  )
  const session = await contender.system.open(concurrency)
  try {
    const m = await measure({
      concurrency,
      warmupSeconds,
      seconds,
      op: op(session),
      tickSeconds: seconds >= 4 ? 2 : undefined,
      onTick: (t, n) => log(`        … ${t.toFixed(1)} s: ${fmt(n)} events`),
    })
    log(
      `        → ${fmt(m.rate)} events/s (${fmt(m.events)} events in ${m.seconds.toFixed(2)} s; client CPU ${fmt(m.clientCpuUsPerEvent)} µs/event)`,
    )
    return m
  } finally {
    await session.close()
  }
}

async function main(): Promise<void> {
  const payloads = makePayloads()
  await admin.connect()
  const machine = await machineFacts(admin)
  const loadBefore = loadAverage()
  log(`store bench: ${redactUrl(admin.baseUrl)}, PostgreSQL ${machine.postgres}, Node ${machine.node}`)
  log(
    `  ${machine.cores} cores (${machine.cpuModel}), load ${loadBefore}; ${payloads.meanBytes}-byte events; ${seconds} s per cell after ${warmupSeconds} s warm-up`,
  )

  log('setup: creating one database per system, installing Message DB from its SQL scripts')
  const trec = await trecSystem(await admin.create(databases.trec))
  opened.push(trec)
  const messageDbUrl = await admin.create(databases.messageDb)
  await installMessageDb(messageDbUrl)
  const messageDb = await messageDbSystem(messageDbUrl)
  opened.push(messageDb)
  const messageDbOneStatement = await messageDbSystem(messageDbUrl, { batchAsOneStatement: true })
  opened.push(messageDbOneStatement)
  const bare = await bareSystem(await admin.create(databases.bare))
  opened.push(bare)

  const messageDbSequence: Sequence = { event: 0, batch: 0 }
  const contenders: Contender[] = [
    { key: 'trec', system: trec, sequence: { event: 0, batch: 0 } },
    { key: 'messageDb', system: messageDb, sequence: messageDbSequence },
    { key: 'bare', system: bare, sequence: { event: 0, batch: 0 } },
  ]
  const single = (c: Contender) => (session: BenchSession) => async () => {
    const k = c.sequence.event++
    await session.appendOne(payloads.workerStreams[k % workerCount]!, eventAt(payloads, k))
    return 1
  }
  const batch = (c: Contender) => (session: BenchSession) => async () => {
    const n = c.sequence.batch++
    const events = Array.from({ length: batchSize }, (_, i) => eventAt(payloads, n * batchSize + i))
    await session.appendBatch(batchStream(n), events)
    return batchSize
  }

  // One untimed round of both write paths per system first, so that the first measured cell does
  // not also pay for the JIT compiling the client code and the server filling its caches.
  if (warmupSeconds > 0) {
    log(`process warm-up: ${warmupSeconds} s of single appends and of batches per system`)
    for (const c of contenders) {
      const session = await c.system.open(8)
      try {
        await measure({ concurrency: 8, warmupSeconds: 0, seconds: warmupSeconds, op: single(c)(session) })
        await measure({ concurrency: 4, warmupSeconds: 0, seconds: warmupSeconds, op: batch(c)(session) })
      } finally {
        await session.close()
      }
    }
  }

  const rows: ResultRow[] = []
  for (const concurrency of singleConcurrencies) {
    const row: ResultRow = { workload: `single-event appends, concurrency ${concurrency}` }
    for (const c of contenders)
      row[c.key] = await run(c, `single-event appends, concurrency ${concurrency}`, concurrency, single(c))
    rows.push(row)
  }
  const batchRow: ResultRow = {
    workload: `batches of ${batchSize} (1 stream, 1 tx), concurrency ${batchConcurrency}`,
  }
  for (const c of contenders)
    batchRow[c.key] = await run(
      c,
      `batches of ${batchSize}, concurrency ${batchConcurrency}`,
      batchConcurrency,
      batch(c),
    )
  rows.push(batchRow)
  const oneStatement = await run(
    { key: 'messageDb', system: messageDbOneStatement, sequence: messageDbSequence },
    `batches of ${batchSize} as one statement, concurrency ${batchConcurrency}`,
    batchConcurrency,
    batch({ key: 'messageDb', system: messageDbOneStatement, sequence: messageDbSequence }),
  )

  log('read setup: VACUUM ANALYZE and counting what each system holds')
  const counts: number[] = []
  for (const c of contenders) {
    await c.system.vacuum()
    const stored = await c.system.count()
    const readable = (await c.system.readableCount?.()) ?? stored
    if (readable < stored)
      log(
        `  note: ${c.system.name} can read ${fmt(readable)} of its ${fmt(stored)} events now; a transaction open elsewhere on the server holds its feed back`,
      )
    counts.push(readable)
  }
  const readLimit = Math.min(...counts)
  log(
    `  readable: ${contenders.map((c, i) => `${c.system.name} ${fmt(counts[i]!)}`).join(', ')}; each reads the first ${fmt(readLimit)}`,
  )
  const readRow: ResultRow = { workload: `global feed read, batches of ${fmt(readBatch)}` }
  if (readLimit === 0) log('  nothing readable: the read cells are skipped')
  else
    for (const c of contenders)
      readRow[c.key] = await run(c, `read in batches of ${fmt(readBatch)} from the start`, 1, (session) => {
        const reader = session.reader(readBatch, readLimit)
        return () => reader.next()
      })
  rows.push(readRow)
  const loadAfter = loadAverage()

  // The targets set for the store (single-event at concurrency 64, batches, feed reads; ahead of
  // Message DB on every line).
  const targets: Target[] = [
    floorTarget('single-event appends, concurrency 64', 5_000, rows[2]?.trec),
    floorTarget(`batches of ${batchSize}`, 50_000, batchRow.trec),
    floorTarget('global feed read', 100_000, readRow.trec),
    ...rows.map(aheadTarget),
  ]

  log('')
  log(textTable(rows))
  log(`Message DB, batches of ${batchSize} as one statement: ${fmt(oneStatement.rate)} events/s`)
  for (const t of targets) log(`target ${targetText(t)}`)

  const facts: RunFacts = {
    machine,
    seconds,
    warmupSeconds,
    payloadBytes: payloads.meanBytes,
    readLimit,
    loadBefore,
    loadAfter,
    messageDbVersion: await messageDbVersion(),
    messageDbBatchOneStatement: oneStatement,
    command,
  }
  if (process.env.BENCH_MARKDOWN !== '0') {
    await writeSection('store-bench', markdownSection(rows, targets, facts).trimEnd().split('\n'))
  }
}

try {
  await main()
} finally {
  log('cleanup: dropping the bench databases')
  await cleanUp()
}
