import { randomUUID } from 'node:crypto'
import { openPostgresEventStore, pgExecutor } from '@trec/eventstore/postgres'
import { postgresForTests } from '@trec/eventstore/testing'
import { rootAt } from '@trec/merkle'
import { appendRecord, generateRecord } from '@trec/readmodels/testing'
import pg from 'pg'
import { afterAll, describe, expect, it } from 'vitest'
import { startNotary } from '../src/notary/start.ts'
import { AuditDb } from '../src/sql/audit-db.ts'
import { allEvents, ed25519, rootFromScratch, signing } from './support.ts'

// The notary on a PostgreSQL server: the same SQL as PGlite, with concurrent writers and a crash
// in the middle of a batch.

const server = await postgresForTests()
const suite = 'skip' in server ? describe.skip : describe
const title =
  'skip' in server ? `the notary on PostgreSQL (skipped: ${server.skip})` : 'the notary on PostgreSQL'

suite(title, () => {
  const url = 'skip' in server ? '' : server.url
  const tag = randomUUID().slice(0, 8)
  const storeSchema = `audit_store_${tag}`
  const auditSchema = `audit_log_${tag}`
  const pool = new pg.Pool({ connectionString: url, max: 4 })
  afterAll(async () => {
    await pool.query(
      `drop schema if exists "${storeSchema}" cascade; drop schema if exists "${auditSchema}" cascade`,
    )
    await pool.end()
  })

  it('logs every event exactly once, in feed order, across a crash, while writers append', async () => {
    const store = await openPostgresEventStore({
      connectionString: url,
      schema: storeSchema,
      maxConnections: 4,
    })
    const db = pgExecutor(pool)
    const key = ed25519()
    const base = {
      store,
      db,
      schema: auditSchema,
      signing: signing(key),
      retryDelayMs: 10,
      onError: () => undefined,
    }
    const record = generateRecord({ workers: 6, seed: 3, faultRate: 0 })
    const half = Math.floor(record.appends.length / 2)
    await appendRecord(store, { ...record, appends: record.appends.slice(0, half) })
    const controller = new AbortController()
    let batches = 0
    const crashing = await startNotary({
      ...base,
      batchSize: 10,
      signal: controller.signal,
      beforeCommit: async () => {
        if (++batches === 3) {
          controller.abort()
          throw new Error('killed mid-batch')
        }
      },
    })
    await crashing.sync().catch(() => undefined)
    await crashing.stop()
    const notary = await startNotary({ ...base, batchSize: 16 })
    await appendRecord(store, { ...record, appends: record.appends.slice(half) })
    await notary.sync()
    const checkpoint = await notary.checkpoint()
    await notary.stop()
    const events = await allEvents(store)
    const audit = new AuditDb(db, auditSchema)
    const rows = await db.query<{ e: string }>(
      `select event_id::text as e from "${auditSchema}".leaves l order by l.idx`,
    )
    expect(rows.map((r) => r.e)).toEqual(events.map((e) => e.id))
    expect(checkpoint?.size).toBe(events.length)
    expect(Buffer.from(await rootAt(audit.nodes(), events.length))).toEqual(
      Buffer.from(rootFromScratch(events)),
    )
    await store.close()
  })
})
