import { execFile } from 'node:child_process'
import type { KeyObject } from 'node:crypto'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { PGlite } from '@electric-sql/pglite'
import { cryptoProfile } from '@trec/core'
import type { EventStore, RecordedEvent, SqlExecutor } from '@trec/eventstore'
import { openPGliteEventStore, pgliteExecutor } from '@trec/eventstore/pglite'
import { testPlatform } from '@trec/fastify-kit/testing'
import { CompactTree, KeySet, leafHash, parseCheckpoint } from '@trec/merkle'
import { appendRecord, generateRecord } from '@trec/readmodels/testing'
import { type AuditOptions, auditService } from '../src/index.ts'
import { leafText } from '../src/leaf.ts'
import { type NotaryOptions, publishedKeys, startNotary } from '../src/notary/start.ts'
import type { SigningOptions } from '../src/signing.ts'
import { verifyExport } from '../src/verify/run.ts'
import type { VerifyOptions } from '../src/verify/verifier.ts'

// Shared by the audit tests: keys, a PGlite store with the audit tables beside it, a generated
// province history (@trec/readmodels' generator: institutions, classes, enrolments with sealed
// personal fields, face checks, completions, certificates, claims and payments with evidence).

export const origin = 'audit.hebei.example.gov.cn/trec-events'
export const region = '130000'
export const since = new Date('2020-01-01T00:00:00.000Z')

/** A checkpoint signing key of the crypto profile the suite runs under (Ed25519, or SM2 under gm). */
export function checkpointKeyPair(): { privateKey: KeyObject; publicKey: KeyObject } {
  return cryptoProfile().signature.generateKeyPair()
}

export function signing(key = checkpointKeyPair(), extra: Partial<SigningOptions> = {}): SigningOptions {
  return { origin, keys: [{ privateKey: key.privateKey, notBefore: since }], ...extra }
}

/** The key set an auditor pins: the published JWKS. */
export async function pinned(options: SigningOptions): Promise<KeySet> {
  return KeySet.fromJwks(await publishedKeys(options))
}

export interface Log {
  pg: PGlite
  store: EventStore
  db: SqlExecutor
  /** Schema of the audit tables. */
  schema: string
  /** Schema of the store's tables. */
  storeSchema: string
}

let opened: PGlite | undefined
let counter = 0

/** One PGlite per test file (starting one takes seconds); each log gets its own store and audit schemas. */
export async function openLog(): Promise<Log> {
  opened ??= new PGlite()
  const pg = opened
  counter += 1
  const store = await openPGliteEventStore({ db: pg, schema: `store_${counter}` })
  return { pg, store, db: pgliteExecutor(pg), schema: `audit_${counter}`, storeSchema: `store_${counter}` }
}

/** Appends a generated history (no planted faults unless asked) and returns it. */
export async function seedHistory(store: EventStore, workers = 4, seed = 7, faultRate = 0) {
  const record = generateRecord({ workers, seed, faultRate })
  await appendRecord(store, record)
  return record
}

export async function notary(log: Log, extra: Partial<NotaryOptions> = {}, key = checkpointKeyPair()) {
  return startNotary({
    store: log.store,
    db: log.db,
    schema: log.schema,
    signing: signing(key),
    checkpointEvery: { leaves: 1_000_000, seconds: 3600 },
    retryDelayMs: 10,
    onError: () => undefined,
    ...extra,
  })
}

export async function allEvents(store: EventStore): Promise<RecordedEvent[]> {
  const out: RecordedEvent[] = []
  let after = 0n
  for (;;) {
    const batch = await store.readAll({ after, maxCount: 1000 })
    if (batch.length === 0) return out
    out.push(...batch)
    after = batch.at(-1)!.position
  }
}

/** The RFC 9162 root of the store's events, recomputed from scratch in memory. */
export function rootFromScratch(events: readonly RecordedEvent[], size = events.length): Uint8Array {
  const tree = CompactTree.empty()
  for (const e of events.slice(0, size)) tree.append(leafHash(Buffer.from(leafText(e), 'utf8')))
  return tree.root()
}

/** The audit API on a test platform (real signed tokens) over a log. */
export async function auditApp(log: Log, key = checkpointKeyPair(), extra: Partial<AuditOptions> = {}) {
  const { app, tokens } = await testPlatform(log.db)
  await app.register(auditService, {
    store: log.store,
    db: log.db,
    schema: log.schema,
    origin,
    publishedKeys: await publishedKeys(signing(key)),
    region,
    ...extra,
  })
  await app.ready()
  return { app, tokens }
}

/**
 * A seeded log (5 workers), notarised twice around an auditor's worker export, and a class's
 * export with a consistency proof from the first checkpoint: the genuine export the tamper
 * suite and the console verifier mutate.
 */
export async function exportedHistory(key = checkpointKeyPair()) {
  const log = await openLog()
  const record = await seedHistory(log.store, 5, 23)
  const n = await notary(log, {}, key)
  await n.sync()
  const first = (await n.checkpoint())!
  const { app, tokens } = await auditApp(log, key)
  const token = await tokens.mint({ sub: 'auditor-1', role: 'auditor' })
  const get = async (url: string) =>
    (await app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${token}` } })).body
  await get(`/v1/audit/exports/workers/${record.workers[0]}?purpose=audit`)
  await n.sync()
  const second = (await n.checkpoint())!
  await n.stop()
  const base = await get(
    `/v1/audit/exports/classes/${Object.keys(record.classes)[0]}?purpose=audit&consistencyWith=${first.size}`,
  )
  const keys = await pinned(signing(key))
  const earlier = parseCheckpoint(first.note.slice(0, first.note.lastIndexOf('\n\n') + 1))
  return { log, record, get, base, keys, first, second, earlier }
}

/** Verifies an export held in memory, as the CLI does a file. */
export async function verifyText(text: string | Buffer, keys: KeySet, options: Partial<VerifyOptions> = {}) {
  const bytes = typeof text === 'string' ? Buffer.from(text) : text
  // Feed it in uneven chunks, as a file or a socket would.
  const chunks: Buffer[] = []
  for (let i = 0; i < bytes.length; i += 4093) chunks.push(bytes.subarray(i, i + 4093))
  return verifyExport(chunks, { trust: { origin, keys }, ...options })
}

const execFileAsync = promisify(execFile)

/** The verify command's source, as the workspace runs it. */
export const verifyCommand = join(import.meta.dirname, '../src/verify/cli.ts')

/** Runs the verify command (this one, or `script`, e.g. a packed copy, under `node`): exit code and output. */
export async function runVerify(
  args: string[],
  { node = process.execPath, script = verifyCommand }: { node?: string; script?: string } = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await execFileAsync(node, [script, ...args], { timeout: 60_000 })
    return { code: 0, stdout, stderr }
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string }
    return { code: e.code, stdout: e.stdout, stderr: e.stderr }
  }
}
