// The audit log's throughput: how fast the notary appends the store's events to the Merkle tree
// (PostgreSQL and PGlite, the events already in the store, then live beside writers), against the
// store's own append rate measured in the same run; and how fast the offline verifier checks a
// large export. Writes the audit-bench section of BENCHMARKS.md.
//
// Run: npx pnpm@10.34.9 exec node services/audit/bench/notary.bench.ts
//   BENCH_EVENTS (default 100,000) events per notary phase; BENCH_VERIFY_EVENTS (default 1,000,000).
import { createHash, randomUUID } from 'node:crypto'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { enableCompileCache } from 'node:module'
import { availableParallelism, cpus, loadavg, tmpdir, totalmem } from 'node:os'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { PGlite } from '@electric-sql/pglite'
import { cryptoProfile } from '@trec/core'
import type { EventStore, SqlExecutor } from '@trec/eventstore'
import { openPGliteEventStore, pgliteExecutor } from '@trec/eventstore/pglite'
import { openPostgresEventStore, pgExecutor } from '@trec/eventstore/postgres'
import { postgresForTests } from '@trec/eventstore/testing'
import { KeySet } from '@trec/merkle'
import pg from 'pg'
import { writeSection } from '../../../tests/bench/report.ts'
import { startNotary } from '../src/notary/start.ts'
import { verifyFile } from '../src/verify/run.ts'
import { faceCheck } from './events.ts'
import { writeSyntheticExport } from './synthetic-export.ts'

const events = Number(process.env.BENCH_EVENTS ?? 100_000)
const verifyEvents = Number(process.env.BENCH_VERIFY_EVENTS ?? 1_000_000)
const origin = 'audit.bench.example.gov.cn/trec-events'
const key = cryptoProfile().signature.generateKeyPair()
const signing = {
  origin,
  keys: [{ privateKey: key.privateKey, notBefore: new Date('2020-01-01T00:00:00Z') }],
}
const load = () =>
  loadavg()
    .map((l) => l.toFixed(2))
    .join(' / ')
const rate = (n: number, ms: number) => Math.round((n * 1000) / ms)
const fmt = (n: number) => n.toLocaleString('en')

/**
 * Appends `count` events from `from` on, in batches of 100 by `writers` loops; returns events/s.
 * Each batch goes to a new stream of a category the export selections do not read (`bench-…`).
 * The service appends each check to its worker's stream (`attendance-{worker}`), whose id is the
 * check's own worker; a batch of 100 workers' checks in one stream named like a worker would make
 * each of them name a second worker, which no real check does, and cost the notary a reference
 * row per event.
 */
async function appendAll(store: EventStore, from: number, count: number, writers: number): Promise<number> {
  let next = from
  const end = from + count
  const started = performance.now()
  await Promise.all(
    Array.from({ length: writers }, async () => {
      while (next < end) {
        const first = next
        next = Math.min(end, next + 100)
        const batch = Array.from({ length: next - first }, (_, i) => faceCheck(first + i).event)
        // Between appends the writer lets the event loop run, as a server does between requests.
        // A PGlite append does no asynchronous I/O, so a writer that never yielded kept the event
        // loop from everything else: the notary beside it logged 900 of 100,000 events while one
        // such writer appended.
        await new Promise<void>((resolve) => setImmediate(resolve))
        await store.append(`bench-${randomUUID().replaceAll('-', '')}`, batch)
      }
    }),
  )
  return rate(count, performance.now() - started)
}

interface NotaryFigures {
  append: number
  catchUp: number
  coldCatchUp: number
  liveAppend: number
  liveNotary: number
  lagMs: number
}

async function notaryFigures(
  store: EventStore,
  db: SqlExecutor,
  schema: string,
  writers: number,
): Promise<NotaryFigures> {
  // Both timed after the same warm-up: the store's appends after `warm` events appended untimed,
  // the notary's catch-up after it has logged those `warm` events (its cold start, schema set-up
  // included, is reported beside).
  const warm = Math.min(20_000, Math.floor(events / 5))
  await appendAll(store, 0, warm, writers)
  const append = await appendAll(store, warm, events, writers)
  const base = { store, db, schema, signing, batchSize: 1000, onError: (e: unknown) => console.error(e) }
  // 1. Catch up over events already in the store.
  let started = performance.now()
  const notary = await startNotary(base)
  while (notary.status().size < warm) await sleep(2)
  const warmed = performance.now()
  await notary.sync()
  const catchUp = rate(events, performance.now() - warmed)
  const coldCatchUp = rate(warm + events, performance.now() - started)
  // 2. Live: writers append while the notary follows; how far behind is it when they stop?
  started = performance.now()
  const liveAppend = await appendAll(store, warm + events, events, writers)
  const appended = performance.now()
  await notary.sync()
  const done = performance.now()
  await notary.stop()
  return {
    append,
    catchUp,
    coldCatchUp,
    liveAppend,
    liveNotary: rate(events, done - started),
    lagMs: Math.round(done - appended),
  }
}

async function onPostgres(): Promise<NotaryFigures | string> {
  const server = await postgresForTests()
  if ('skip' in server) return server.skip
  const tag = randomUUID().slice(0, 8)
  const pool = new pg.Pool({ connectionString: server.url, max: 4 })
  const store = await openPostgresEventStore({
    connectionString: server.url,
    schema: `bench_audit_store_${tag}`,
    maxConnections: 8,
  })
  try {
    return await notaryFigures(store, pgExecutor(pool), `bench_audit_${tag}`, 4)
  } finally {
    await store.close()
    await pool.query(
      `drop schema if exists bench_audit_store_${tag} cascade; drop schema if exists bench_audit_${tag} cascade`,
    )
    await pool.end()
  }
}

/**
 * PGlite keeping its files in a data directory, as the embedded default does (`TREC_DATA_DIR`). An
 * in-memory PGlite is slower here: its in-memory file system copies a growing file into a larger
 * buffer as the tables grow, which took 15–20% of both the store's and the notary's time.
 */
async function onPGlite(): Promise<NotaryFigures> {
  const dir = await mkdtemp(join(tmpdir(), 'trec-audit-bench-pglite-'))
  const db = new PGlite(dir)
  const store = await openPGliteEventStore({ db })
  try {
    return await notaryFigures(store, pgliteExecutor(db), 'trec_audit', 1)
  } finally {
    await store.close()
    await rm(dir, { recursive: true, force: true })
  }
}

interface VerifyRate {
  threads: number
  /** Median of the runs. */
  perSecond: number
  runs: number[]
}

async function verifyFigures(): Promise<{
  events: number
  bytes: number
  single: VerifyRate
  threaded: VerifyRate
  floor: { hash: number; hashAndDecode: number }
}> {
  enableCompileCache() // as the verify command does
  const dir = await mkdtemp(join(tmpdir(), 'trec-audit-bench-'))
  try {
    const file = join(dir, 'export.ndjson')
    const { bytes } = await writeSyntheticExport(file, verifyEvents, origin, key.privateKey)
    const keys = await KeySet.create([{ name: origin, publicKey: key.publicKey, notBefore: new Date(0) }])
    const timed = async (threads: number) => {
      const started = performance.now()
      const result = await verifyFile(file, {
        trust: { origin, keys },
        threads,
      })
      const ms = performance.now() - started
      if (!result.ok)
        throw new Error(`the synthetic export did not verify: ${JSON.stringify(result.failure)}`)
      return rate(verifyEvents, ms)
    }
    const cores = Math.min(8, availableParallelism())
    // One untimed run first: in four trials the first verification after the file was written
    // ran 18–34% slower than the two after it. Then three runs per thread count, alternating;
    // the median is reported.
    await timed(cores)
    const runs: Record<number, number[]> = { 1: [], [cores]: [] }
    for (let r = 0; r < 3; r++) for (const threads of [1, cores]) runs[threads]!.push(await timed(threads))
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!
    const of = (threads: number): VerifyRate => ({
      threads,
      perSecond: median(runs[threads]!),
      runs: runs[threads]!,
    })
    return { events: verifyEvents, bytes, single: of(1), threaded: of(cores), floor: await verifyFloor(file) }
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
}

/**
 * The least any verifier of this format must do per event, timed on the same file in the same
 * run, one thread, from memory (no I/O): hash the leaf (SHA-256 of 0x00 and the event's bytes),
 * and also decode the event (JSON.parse), without which no selection, evidence or replay check
 * can be made. Events per second.
 */
async function verifyFloor(file: string): Promise<{ hash: number; hashAndDecode: number }> {
  const text = await readFile(file)
  const key = Buffer.from(',"index":')
  const events: Buffer[] = []
  for (let start = text.indexOf(10) + 1; start < text.length; ) {
    const end = text.indexOf(10, start)
    const line = text.subarray(start, end)
    events.push(line.subarray('{"event":'.length, line.lastIndexOf(key)))
    start = end + 1
  }
  const zero = Buffer.from([0])
  const timed = (work: (event: Buffer) => void) => {
    const t = performance.now()
    for (const event of events) work(event)
    return rate(events.length, performance.now() - t)
  }
  const leaf = (event: Buffer) => createHash('sha256').update(zero).update(event).digest()
  return {
    hash: timed(leaf),
    hashAndDecode: timed((event) => {
      leaf(event)
      JSON.parse(event.toString('utf8'))
    }),
  }
}

/** The store section's fastest append workload, as BENCHMARKS.md last recorded it. */
async function storeSectionRate(): Promise<string> {
  const text = await readFile(join(import.meta.dirname, '../../../BENCHMARKS.md'), 'utf8').catch(() => '')
  const match = /\| batches of 100 \(1 stream, 1 tx\), concurrency 4 +\| +([\d,]+) \|/.exec(text)
  return match ? `${match[1]} events/s` : 'not recorded'
}

const storeSection = await storeSectionRate()
const loadBefore = load()
console.log(
  `audit bench: ${fmt(events)} events per notary phase, ${fmt(verifyEvents)} to verify; load ${loadBefore}`,
)
const postgres = await onPostgres()
console.log('PostgreSQL', postgres)
const pglite = await onPGlite()
console.log('PGlite', pglite)
const verify = await verifyFigures()
console.log('verify', verify)
const loadAfter = load()

const row = (name: string, f: NotaryFigures | string) =>
  typeof f === 'string'
    ? `| ${name} | skipped: ${f} | | | | | | |`
    : `| ${name} | ${fmt(f.append)} | ${fmt(f.catchUp)} | ${fmt(f.coldCatchUp)} | ${fmt(f.liveAppend)} | ${fmt(f.liveNotary)} | ${fmt(f.lagMs)} ms | ${f.catchUp >= f.append ? 'yes' : 'no'} |`
const pgCatchUp = typeof postgres === 'string' ? undefined : postgres.catchUp

await writeSection('audit-bench', [
  '## Audit log: notary append rate and offline verification',
  '',
  'Command: `npx pnpm@10.34.9 exec node services/audit/bench/notary.bench.ts` (`BENCH_EVENTS`, `BENCH_VERIFY_EVENTS` to',
  'change the sizes). **A brief run on a shared 2-core machine** (other work was running: see the load average), so',
  'read the figures as a lower bound and as relative to each other, not as the capacity of a dedicated server.',
  '',
  '| run | |',
  '| --- | --- |',
  `| date | ${new Date().toISOString()} |`,
  `| machine | ${cpus().length} cores, ${cpus()[0]?.model.trim()}, ${(totalmem() / 2 ** 30).toFixed(1)} GiB memory |`,
  `| load average (1/5/15 min) before / after | ${loadBefore} — ${loadAfter} |`,
  `| Node | ${process.version} |`,
  `| events | ${fmt(events)} face checks (\`FaceCheckRecorded\`, about 620 bytes of JSON) per phase, appended in batches of 100 |`,
  '',
  'Notary (events/s). "Store append" is the store\'s own rate in the same run (4 writers on PostgreSQL, 1 on PGlite,',
  "batches of 100: the store's fastest workload, see the store section), timed after a first fifth as many events",
  '(at most 20,000) appended untimed. "Catch-up" is the notary over the events already in the store, timed the same',
  'way: over the events after those first ones, once it has logged them; "from cold start" times all of them from',
  'its start, schema set-up included. Feed batches of 1,000, one transaction each (leaf rows with the nodes they complete,',
  'references, state and any checkpoint due), a signed checkpoint every 1,000 leaves. "Live" runs the writers and',
  'the notary at once; the lag is how long after the last append the notary had logged everything.',
  '',
  '| store | store append | notary catch-up | catch-up from cold start | live: store append | live: notary | live: lag at the end | notary ≥ append |',
  '| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |',
  row('PostgreSQL (same machine, TCP)', postgres),
  row('PGlite (data directory on disk, same process)', pglite),
  '',
  `For reference, the store section above records ${storeSection} for the store's fastest workload (batches of`,
  '100, concurrency 4, PostgreSQL) from its own run. Per event the notary reads the event back from the feed,',
  'canonicalises (RFC 8785) and hashes it, and writes one leaf row (its hash and the nodes its append completed, so',
  'no separate node rows), loaded with COPY, with four index entries: leaf index and feed position (B-trees that',
  "only grow at their right edge; an event's leaf is found through the store's own index of event ids), worker and",
  'class (hash indexes; a face check names no claim), and a BRIN summary of when it happened, which the export',
  'selections use. Each batch of 100 goes to a stream of its own whose name the selections do not read, so every',
  "event names one worker, as a real check in its worker's stream does (`appendAll`). Two batches are in flight:",
  'batch n + 1 loads its rows on a second connection while batch n commits, and moves the tree state only after it',
  "(`src/notary/notary.ts`). The store's four writers use both cores as well: here the notary and the store compete",
  'for the same two. PGlite runs in this process on one thread, the writer and the notary taking turns (each writer',
  'lets the event loop run between appends, as a server does between requests); it keeps its files in a data',
  'directory, as the embedded default does (`TREC_DATA_DIR`), and reads each feed batch back as one JSON text',
  '(`feedAs` in the store), which its protocol parser reads in about half the time of a row per event.',
  '',
  `Offline verification: ${fmt(verify.events)} events, ${(verify.bytes / 2 ** 20).toFixed(0)} MiB of NDJSON read from a file`,
  'as the `verify` command reads it (checkpoint signatures, every inclusion proof, leaf order, count and digest,',
  'selection membership, evidence citations, replay fold). The per-line checks run on worker threads in runs of',
  '4 MiB of lines, merged in file order (`src/verify/run.ts`); after one untimed run, median of three runs each,',
  'alternating:',
  '',
  '| threads | events/s (median) | runs |',
  '| ---: | ---: | --- |',
  ...[verify.single, verify.threaded].map(
    (v) => `| ${v.threads} | ${fmt(v.perSecond)} | ${v.runs.map(fmt).join('; ')} |`,
  ),
  '',
  '| target | wanted | measured | |',
  '| --- | --- | --- | --- |',
  `| notary keeps up with the store's maximum append rate (PostgreSQL) | ≥ store append | ${typeof postgres === 'string' ? 'skipped' : `${fmt(postgres.catchUp)} vs ${fmt(postgres.append)}`} | ${typeof postgres === 'string' ? '' : pgCatchUp! >= postgres.append ? 'met' : 'not met'} |`,
  `| notary keeps up with the store's maximum append rate (PGlite) | ≥ store append | ${fmt(pglite.catchUp)} vs ${fmt(pglite.append)} | ${pglite.catchUp >= pglite.append ? 'met' : 'not met'} |`,
  `| notary catch-up (PostgreSQL) against the store section's recorded rate | ≥ ${storeSection} | ${typeof postgres === 'string' ? 'skipped' : `${fmt(postgres.catchUp)} events/s`} | ${typeof postgres === 'string' || storeSection === 'not recorded' ? '' : postgres.catchUp >= Number(storeSection.replace(/[^0-9]/g, '')) ? 'met' : 'not met'} |`,
  `| offline verification (${verify.threaded.threads} threads) | ≥ 200,000 events/s | ${fmt(verify.threaded.perSecond)} events/s | ${verify.threaded.perSecond >= 200_000 ? 'met' : 'not met'} |`,
  '',
  `The floor, timed on the same file in the same run (one thread, from memory, no I/O): hashing every leaf alone`,
  `runs at ${fmt(verify.floor.hash)} events/s; hashing it and decoding the event (\`JSON.parse\`, needed for the`,
  `selection, evidence and replay checks) at ${fmt(verify.floor.hashAndDecode)} events/s. The verifier does that plus`,
  'about one node hash per event for the inclusion proofs (checked against nodes already proven, and the last node',
  'hashed at each level reused, see `src/verify/inclusion.ts`), base64 decoding of the proof elements, the selection',
  "and evidence checks and the bookkeeping. The threads share this machine's",
  `${cpus().length} cores with the thread that reads and merges: ${verify.threaded.threads} threads give ${(verify.threaded.perSecond / verify.single.perSecond).toFixed(2)}× the one-thread rate here.`,
])
