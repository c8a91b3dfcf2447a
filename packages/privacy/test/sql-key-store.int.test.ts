// SqlKeyStore against the two engines it must run on: a real PostgreSQL server (DATABASE_URL,
// default postgres://postgres@127.0.0.1:5432/test) and PGlite in memory. Each run uses its own
// schema, dropped afterwards.
import { randomBytes } from 'node:crypto'
import { PGlite } from '@electric-sql/pglite'
import { isTrecError } from '@trec/core'
import pg from 'pg'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { generateMasterKey, KeyRing, type SealedValue, type SqlClient, SqlKeyStore } from '../src/index.ts'
import { prepareMasterKey, unwrapDataKey } from '../src/key-wrap.ts'
import { openWithKey } from '../src/sealed.ts'
import { keyStoreContract, pseudonymA, wrappedKey } from './key-store-contract.ts'

const databaseUrl = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test'

interface Probe {
  /** Why PostgreSQL cannot be used, if it cannot. */
  unreachable?: string
  /** Whether the role may read relation files (superuser), for the on-disk check. */
  superuser: boolean
}

async function probePostgres(): Promise<Probe> {
  const client = new pg.Client({ connectionString: databaseUrl, connectionTimeoutMillis: 3_000 })
  try {
    await client.connect()
    const { rows } = await client.query('SELECT rolsuper FROM pg_roles WHERE rolname = current_user')
    return { superuser: rows[0]?.rolsuper === true }
  } catch (error) {
    return { unreachable: error instanceof Error ? error.message : String(error), superuser: false }
  } finally {
    await client.end().catch(() => {})
  }
}

const postgres = await probePostgres()

interface Engine {
  client: SqlClient
  /** Runs `sql` on one connection inside BEGIN ... ROLLBACK, handing the body a client bound to it. */
  inTransaction(body: (client: SqlClient) => Promise<void>): Promise<void>
  close(): Promise<void>
}

async function openPostgres(): Promise<Engine> {
  const pool = new pg.Pool({ connectionString: databaseUrl, max: 4 })
  return {
    client: pool,
    async inTransaction(body) {
      const connection = await pool.connect()
      try {
        await connection.query('BEGIN')
        await body(connection)
      } finally {
        await connection.query('ROLLBACK').catch(() => {})
        connection.release()
      }
    },
    close: () => pool.end(),
  }
}

async function openPglite(): Promise<Engine> {
  const db = new PGlite()
  await db.waitReady
  return {
    client: db,
    async inTransaction(body) {
      // PGlite is one connection, so BEGIN on it opens the transaction the body runs in.
      await db.query('BEGIN')
      try {
        await body(db)
      } finally {
        await db.query('ROLLBACK')
      }
    },
    close: () => db.close(),
  }
}

const alice = '0123456789abcdef0123456789abcdef'
const bob = 'fedcba9876543210fedcba9876543210'
const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex')

/** The text of every row of every table in the schema. */
async function everyRow(client: SqlClient, schema: string): Promise<string[]> {
  const tables = await client.query(
    'SELECT table_name FROM information_schema.tables WHERE table_schema = $1 ORDER BY table_name',
    [schema],
  )
  const rows: string[] = []
  for (const { table_name } of tables.rows as Array<{ table_name: string }>) {
    const result = await client.query(`SELECT t::text AS row FROM "${schema}"."${table_name}" t`)
    for (const { row } of result.rows as Array<{ row: string }>) rows.push(row)
  }
  return rows
}

/** Every bytea value stored anywhere in the schema. */
async function everyByteaValue(client: SqlClient, schema: string): Promise<Uint8Array[]> {
  const columns = await client.query(
    `SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = $1 AND data_type = 'bytea'`,
    [schema],
  )
  const values: Uint8Array[] = []
  for (const { table_name, column_name } of columns.rows as Array<{
    table_name: string
    column_name: string
  }>) {
    const result = await client.query(`SELECT "${column_name}" AS v FROM "${schema}"."${table_name}"`)
    for (const { v } of result.rows as Array<{ v: Uint8Array }>) values.push(new Uint8Array(v))
  }
  return values
}

function sqlKeyStoreSuite(openEngine: () => Promise<Engine>, canReadFiles: boolean) {
  const schema = `trec_keys_test_${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`
  let engine: Engine
  let store: SqlKeyStore
  const vacuumErrors: unknown[] = []

  beforeAll(async () => {
    engine = await openEngine()
    store = new SqlKeyStore(engine.client, { schema, onVacuumError: (error) => vacuumErrors.push(error) })
    await store.migrate()
  })

  afterAll(async () => {
    await engine?.client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`)
    await engine?.close()
  })

  beforeEach(async () => {
    await engine.client.query(`TRUNCATE ${store.table}, ${store.shredTable}`)
    await engine.client.query(`DROP TABLE IF EXISTS "${schema}".events`)
    vacuumErrors.length = 0
  })

  keyStoreContract(() => store)

  it('migrates again, and concurrently, without error', async () => {
    await store.migrate()
    await Promise.all([store.migrate(), store.migrate(), store.migrate()])
    const tables = await engine.client.query(
      'SELECT table_name FROM information_schema.tables WHERE table_schema = $1 ORDER BY table_name',
      [schema],
    )
    expect(tables.rows).toEqual([{ table_name: 'worker_keys' }, { table_name: 'worker_shreds' }])
  })

  it('refuses a schema name it would have to quote', () => {
    expect(() => new SqlKeyStore(engine.client, { schema: 'Robert"; DROP' })).toThrow(RangeError)
  })

  it('lists across many pages', async () => {
    const paged = new SqlKeyStore(engine.client, { schema, listBatchSize: 2 })
    const pseudonyms = Array.from({ length: 7 }, (_, i) => i.toString(16).repeat(32))
    for (const p of pseudonyms) await paged.put(p, wrappedKey())
    const listed: string[] = []
    for await (const key of paged.list()) listed.push(key.pseudonym)
    expect(listed).toEqual(pseudonyms)
  })

  it('never reads a row left zeroed by an interrupted shred, and the next shred clears it', async () => {
    await store.put(pseudonymA, wrappedKey())
    await engine.client.query(`INSERT INTO ${store.shredTable} (pseudonym) VALUES ($1)`, [pseudonymA])
    await engine.client.query(
      `UPDATE ${store.table} SET wrapped = decode(repeat('00', 60), 'hex'), master_kid = '' WHERE pseudonym = $1`,
      [pseudonymA],
    )
    expect(await store.get(pseudonymA)).toBeUndefined()
    expect(await store.put(pseudonymA, wrappedKey())).toBeUndefined()
    await store.delete(pseudonymA)
    expect((await engine.client.query(`SELECT * FROM ${store.table}`)).rows).toEqual([])
  })

  it('runs VACUUM after a shred', async () => {
    await store.put(pseudonymA, wrappedKey())
    expect(await store.delete(pseudonymA)).toBe(true)
    expect(vacuumErrors).toEqual([])
  })

  it('reports a VACUUM refused inside a transaction instead of failing the shred', async () => {
    const refused: unknown[] = []
    await engine.inTransaction(async (tx) => {
      const inTx = new SqlKeyStore(tx, { schema, onVacuumError: (error) => refused.push(error) })
      await inTx.put(pseudonymA, wrappedKey())
      expect(await inTx.delete(pseudonymA)).toBe(true)
    })
    expect(refused).toHaveLength(1)
    expect(String(refused[0])).toMatch(/transaction/i)
  })

  it('after a shred, nothing in any table holds the personal data or a key that opens it, master key included', async () => {
    const master = generateMasterKey('master-1')
    const keyRing = new KeyRing({ store, masterKey: master })
    const person = {
      name: '王芳',
      cardNumber: '11010519491231002X',
      phone: '13800138000',
      bankAccount: '6222021234567890123',
    }
    const pii = ['name', 'cardNumber', 'phone', 'bankAccount'] as const
    await engine.client.query(
      `CREATE TABLE "${schema}".events (id serial PRIMARY KEY, stream text, data jsonb)`,
    )
    const aliceEvents = [
      await keyRing.sealFields(alice, { ...person, hours: 40 }, pii),
      await keyRing.sealFields(alice, { name: person.name, phone: person.phone, hours: 8 }, [
        'name',
        'phone',
      ]),
    ]
    const bobEvent = await keyRing.sealFields(bob, { name: '赵磊', phone: '13900139000' }, ['name', 'phone'])
    for (const data of aliceEvents) {
      await engine.client.query(`INSERT INTO "${schema}".events (stream, data) VALUES ($1, $2)`, [
        `training-${alice}`,
        JSON.stringify(data),
      ])
    }
    await engine.client.query(`INSERT INTO "${schema}".events (stream, data) VALUES ($1, $2)`, [
      `training-${bob}`,
      JSON.stringify(bobEvent),
    ])
    const plaintexts = [...Object.values(person), '赵磊', '13900139000']

    const aliceKey = await store.get(alice)
    if (aliceKey === undefined) throw new Error('alice has no key')
    const before = (await everyRow(engine.client, schema)).join('\n')
    expect(before).toContain(hex(aliceKey.wrapped)) // the scan does see key material
    for (const text of plaintexts) expect(before).not.toContain(text)

    expect(await keyRing.shred(alice)).toBe(true)

    const after = (await everyRow(engine.client, schema)).join('\n')
    expect(after).not.toContain(hex(aliceKey.wrapped))
    for (const text of plaintexts) expect(after).not.toContain(text)

    // A fresh key ring with the same master key: alice's fields read null, bob's still open.
    const stored = await engine.client.query(`SELECT stream, data FROM "${schema}".events ORDER BY id`)
    const fresh = new KeyRing({ store: new SqlKeyStore(engine.client, { schema }), masterKey: master })
    const [first, second, third] = stored.rows as Array<{ data: Record<string, unknown> }>
    const opened = await fresh.openFields(alice, first?.data ?? {}, pii)
    expect(opened.shredded).toBe(true)
    expect(opened.value).toEqual({ name: null, cardNumber: null, phone: null, bankAccount: null, hours: 40 })
    expect((await fresh.openFields(alice, second?.data ?? {}, ['name', 'phone'])).value).toEqual({
      name: null,
      phone: null,
      hours: 8,
    })
    expect((await fresh.openFields(bob, third?.data ?? {}, ['name', 'phone'])).value).toEqual({
      name: '赵磊',
      phone: '13900139000',
    })
    const error = await fresh.open(first?.data.name, 'name').catch((e: unknown) => e)
    expect(isTrecError(error, 'TREC_KEY_SHREDDED')).toBe(true)

    // Every bytea value left in the schema, unwrapped with the master key as anyone's key, and
    // tried on every one of alice's sealed values: none opens.
    const masters = new Map([[master.kid, prepareMasterKey(master)]])
    const aliceSealed = aliceEvents.flatMap((event) =>
      Object.entries(event).flatMap(([field, value]) =>
        typeof value === 'object' && value !== null ? [[field, value as SealedValue] as const] : [],
      ),
    )
    let unwrapped = 0
    for (const candidate of await everyByteaValue(engine.client, schema)) {
      for (const pseudonym of [alice, bob]) {
        let key: ReturnType<typeof unwrapDataKey>
        try {
          key = unwrapDataKey(masters, pseudonym, { masterKid: master.kid, wrapped: candidate })
        } catch {
          continue
        }
        unwrapped++
        for (const [field, sealed] of aliceSealed) {
          expect(() => openWithKey(key, sealed, field)).toThrow()
          expect(() => openWithKey(key, { ...sealed, kid: pseudonym }, field)).toThrow()
        }
      }
    }
    expect(unwrapped).toBe(1) // bob's key, which proves the loop tried real candidates
  })

  it.skipIf(!canReadFiles)(
    canReadFiles
      ? 'after a shred and compact(), the wrapped key is not in the table file on disk either'
      : 'after a shred and compact(), the wrapped key is not in the table file (skipped: reading relation files needs superuser)',
    async () => {
      const readTableFile = async () => {
        await engine.client.query('CHECKPOINT')
        const { rows } = await engine.client.query(
          `SELECT pg_read_binary_file(pg_relation_filepath('${store.table}')) AS file`,
        )
        return Buffer.from((rows[0] as { file: Uint8Array }).file)
      }
      for (let i = 0; i < 20; i++) await store.put(i.toString(16).padStart(32, '0'), wrappedKey())
      const target = wrappedKey()
      await store.put(alice, target)
      expect((await readTableFile()).includes(Buffer.from(target.wrapped))).toBe(true)
      await store.delete(alice)
      await store.compact()
      expect((await readTableFile()).includes(Buffer.from(target.wrapped))).toBe(false)
    },
  )
}

describe.skipIf(postgres.unreachable !== undefined)(
  postgres.unreachable === undefined
    ? 'SqlKeyStore on PostgreSQL'
    : `SqlKeyStore on PostgreSQL (skipped: cannot reach ${databaseUrl.replace(/\/\/[^@]*@/, '//')}: ${postgres.unreachable})`,
  () => sqlKeyStoreSuite(openPostgres, postgres.superuser),
)

// PGlite runs as its superuser over an in-memory file system, so its relation files can be read too.
describe('SqlKeyStore on PGlite', () => sqlKeyStoreSuite(openPglite, true))
