// A shredded worker's personal data cannot be recovered from the store, while the stored events
// themselves stay exactly as they were (the hash chain over them still verifies).
import { createHash, randomUUID } from 'node:crypto'
import { toEventToAppend } from '@trec/contracts'
import { isTrecError } from '@trec/core'
import { openPostgresEventStore } from '@trec/eventstore/postgres'
import { postgresForTests } from '@trec/eventstore/testing'
import { createPseudonymizer, generateMasterKey, KeyRing, SqlKeyStore } from '@trec/privacy'
import pg from 'pg'
import { afterAll, describe, expect, it } from 'vitest'

const server = await postgresForTests()
const suite = 'skip' in server ? describe.skip : describe
const title =
  'skip' in server ? `crypto-shredding (skipped: ${server.skip})` : 'crypto-shredding on PostgreSQL'

suite(title, () => {
  const url = 'skip' in server ? '' : server.url
  const storeSchema = `shred_store_${randomUUID().slice(0, 8)}`
  const keySchema = `shred_keys_${randomUUID().slice(0, 8)}`
  const pool = new pg.Pool({ connectionString: url, max: 4 })
  afterAll(async () => {
    await pool.query(
      `drop schema if exists "${storeSchema}" cascade; drop schema if exists "${keySchema}" cascade`,
    )
    await pool.end()
  })

  it('leaves no readable personal data anywhere once the worker key is deleted, and the events unchanged', async () => {
    const store = await openPostgresEventStore({
      connectionString: url,
      schema: storeSchema,
      maxConnections: 2,
    })
    const keys = new SqlKeyStore(pool, { schema: keySchema })
    await keys.migrate()
    const masterKey = generateMasterKey('master-2026-11')
    const ring = new KeyRing({ store: keys, masterKey })
    const card = '11010519491231002X'
    const worker = createPseudonymizer('a'.repeat(48)).pseudonym(card)
    const personal = { name: '张建国', idNumber: card, phone: '13912345678' }
    const sealed = await ring.sealFields(worker, personal, ['name', 'idNumber', 'phone'])
    // The enrolment event as the training service stores it: personal fields sealed.
    const enrolled = toEventToAppend(
      {
        type: 'WorkerEnrolled',
        data: {
          worker,
          class: 'class-2024-0042',
          institution: 'inst-130100-0042',
          ...(sealed as object),
        } as never,
      },
      {
        occurredAt: '2024-03-04T09:00:00+08:00',
        actor: { kind: 'institution_staff', id: 'staff-1' },
        source: 'trec.training',
        region: '130102',
      },
    )
    await store.append(`training-${worker}`, [enrolled])
    const digestOfEvents = async () =>
      createHash('sha256')
        .update(
          JSON.stringify(
            (
              await pool.query(
                `select id, stream, revision, data, metadata from "${storeSchema}".events order by position`,
              )
            ).rows,
          ),
        )
        .digest('hex')
    const before = await digestOfEvents()
    expect(await ring.open(sealed.name as never, 'name')).toBe('张建国')

    expect(await ring.shred(worker)).toBe(true)

    // Nothing opens any more, not even with the master key.
    const again = new KeyRing({ store: keys, masterKey })
    const error = await again.open(sealed.name as never, 'name').catch((e: unknown) => e)
    expect(isTrecError(error, 'TREC_KEY_SHREDDED')).toBe(true)
    const opened = await again.openFields(worker, sealed as Record<string, unknown>, [
      'name',
      'idNumber',
      'phone',
    ])
    expect(opened.shredded).toBe(true)
    expect(Object.values(opened.value).filter((v) => v !== null && typeof v !== 'object')).toEqual([])

    // No plaintext in any row of any table of the store or the key store.
    const tables = (
      await pool.query(
        `select table_schema, table_name from information_schema.tables where table_schema in ($1, $2)`,
        [storeSchema, keySchema],
      )
    ).rows
    expect(tables.length).toBeGreaterThanOrEqual(3)
    for (const { table_schema, table_name } of tables) {
      const rows = (
        await pool.query(`select t::text as r from "${table_schema}"."${table_name}" t`)
      ).rows.map((r) => r.r as string)
      for (const text of rows)
        for (const secret of Object.values(personal)) expect(text).not.toContain(secret)
    }
    // The events are byte-for-byte what they were: shredding rewrote nothing in the log.
    expect(await digestOfEvents()).toBe(before)
    await store.close()
  })
})
