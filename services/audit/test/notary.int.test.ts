import { randomUUID } from 'node:crypto'
import { openPostgresEventStore, pgExecutor } from '@trec/eventstore/postgres'
import { postgresForTests } from '@trec/eventstore/testing'
import { rootAt } from '@trec/merkle'
import { appendRecord, generateRecord } from '@trec/readmodels/testing'
import pg from 'pg'
import { afterAll, describe, expect, it } from 'vitest'
import { startNotary } from '../src/notary/start.ts'
import { AuditDb } from '../src/sql/audit-db.ts'
import { allEvents, checkpointKeyPair, rootFromScratch, signing } from './support.ts'

// The notary on a PostgreSQL server: the same SQL as PGlite, with concurrent writers, a crash in
// the middle of a batch, and two batches' transactions in flight when the first one fails.

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
    const key = checkpointKeyPair()
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

  it('rolls back the batch in flight behind a failed one, then logs both once, in order', async () => {
    const schema = `${auditSchema}_overlap`
    const store = await openPostgresEventStore({
      connectionString: url,
      schema: `${storeSchema}_overlap`,
      maxConnections: 4,
    })
    const notaryPool = new pg.Pool({ connectionString: url, max: 4, application_name: `notary-${tag}` })
    try {
      const record = generateRecord({ workers: 4, seed: 5, faultRate: 0 })
      await appendRecord(store, record)
      let overlapping = 0
      let failed = false
      const errors: unknown[] = []
      const notary = await startNotary({
        store,
        db: pgExecutor(notaryPool),
        schema,
        signing: signing(checkpointKeyPair()),
        batchSize: 10,
        retryDelayMs: 10,
        onError: (e) => errors.push(e),
        beforeCommit: async ({ from }) => {
          if (from !== 10 || failed) return
          failed = true
          // Wait (up to 5 s) for the next batch's transaction to be open beside this one, then fail this one.
          for (let i = 0; i < 100 && overlapping < 2; i++) {
            await new Promise((r) => setTimeout(r, 50))
            const open = await pool.query<{ n: string }>(
              `select count(*)::text as n from pg_stat_activity
                where application_name = $1 and xact_start is not null`,
              [`notary-${tag}`],
            )
            overlapping = Number(open.rows[0]!.n)
          }
          throw new Error('batch 2 fails before its commit')
        },
      })
      await notary.sync()
      await notary.stop()
      // This batch's transaction and the next one's were both open.
      expect(overlapping).toBe(2)
      expect(errors.map(String)).toEqual(['Error: batch 2 fails before its commit'])
      const events = await allEvents(store)
      const rows = await pool.query<{ e: string }>(
        `select event_id::text as e from "${schema}".leaves order by idx`,
      )
      expect(rows.rows.map((r) => r.e)).toEqual(events.map((e) => e.id))
      expect(Buffer.from(await rootAt(new AuditDb(pgExecutor(pool), schema).nodes(), events.length))).toEqual(
        Buffer.from(rootFromScratch(events)),
      )
    } finally {
      await store.close()
      await notaryPool.end()
      await pool.query(
        `drop schema if exists "${storeSchema}_overlap" cascade; drop schema if exists "${schema}" cascade`,
      )
    }
  })
})
