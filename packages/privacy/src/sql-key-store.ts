// Wrapped data keys in a PostgreSQL table, through any client with `query(sql, params)`
// answering `{ rows }`: `pg.Pool`, `pg.Client` and PGlite all do, so this package needs no driver.
//
// Tables in <schema> (`trec_keys` unless configured):
//   worker_keys(pseudonym text primary key, master_kid text, wrapped bytea, created_at timestamptz)
//   worker_shreds(pseudonym text primary key, shredded_at timestamptz): which workers were
//     shredded, so no new key is ever made for them. It holds no key material.
// A key is readable only if its row has a master_kid other than '' and its worker has no
// worker_shreds row. So a row zeroed by a shred that stopped half-way, or one inserted by a `put`
// racing a shred, is never used; the next `put` or `delete` for that worker clears it.
//
// What a shred does to the table, and what it cannot do, is in the package README.

import type { KeyStore, ListKeysOptions, StoredKey } from './key-store.ts'
import type { WrappedKey } from './key-wrap.ts'

/** The part of `pg.Pool` / PGlite this store uses. Each call is one statement, in autocommit. */
export interface SqlClient {
  query(sql: string, params?: unknown[]): Promise<{ rows: unknown[] }>
}

export interface SqlKeyStoreOptions {
  /** Schema holding the tables; default `trec_keys`. Lower-case letters, digits and `_`. */
  schema?: string
  /**
   * Run `VACUUM` on worker_keys after each shred (default true) so PostgreSQL can drop the dead
   * row versions that still hold the wrapped key. VACUUM scans the whole table: with many keys,
   * set false and call `vacuum()` once after a batch of shreds instead.
   */
  vacuumAfterDelete?: boolean
  /** Told when VACUUM is refused (inside a transaction, not the table's owner, engine without it). */
  onVacuumError?: (error: unknown) => void
  /** Rows per page when listing; default 1,000. */
  listBatchSize?: number
}

interface KeyRow {
  pseudonym?: string
  master_kid: string
  wrapped: unknown
}

const schemaPattern = /^[a-z_][a-z0-9_]{0,62}$/

export class SqlKeyStore implements KeyStore {
  readonly schema: string
  /** The quoted, schema-qualified table names, for operators and tests. */
  readonly table: string
  readonly shredTable: string
  readonly #client: SqlClient
  readonly #vacuumAfterDelete: boolean
  readonly #onVacuumError: ((error: unknown) => void) | undefined
  readonly #listBatchSize: number

  constructor(client: SqlClient, options: SqlKeyStoreOptions = {}) {
    const schema = options.schema ?? 'trec_keys'
    if (!schemaPattern.test(schema))
      throw new RangeError('The key-store schema name must match [a-z_][a-z0-9_]*.')
    this.#client = client
    this.schema = schema
    this.table = `"${schema}".worker_keys`
    this.shredTable = `"${schema}".worker_shreds`
    this.#vacuumAfterDelete = options.vacuumAfterDelete ?? true
    this.#onVacuumError = options.onVacuumError
    this.#listBatchSize = options.listBatchSize ?? 1000
  }

  /** Creates the schema and tables if missing. Safe to run at every start, from several processes. */
  async migrate(): Promise<void> {
    const statements = [
      `CREATE SCHEMA IF NOT EXISTS "${this.schema}"`,
      `CREATE TABLE IF NOT EXISTS ${this.table} (
        pseudonym text PRIMARY KEY,
        master_kid text NOT NULL,
        wrapped bytea NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      )`,
      `CREATE TABLE IF NOT EXISTS ${this.shredTable} (
        pseudonym text PRIMARY KEY,
        shredded_at timestamptz NOT NULL DEFAULT now()
      )`,
    ]
    for (const sql of statements) {
      try {
        await this.#client.query(sql)
      } catch (error) {
        // Two processes running IF NOT EXISTS at once can both pass the check; the loser gets a
        // unique violation on the catalogue (23505) or duplicate schema/table (42P06/42P07).
        // By then the object exists, which is all we wanted.
        if (!['23505', '42P06', '42P07'].includes(sqlState(error))) throw error
      }
    }
  }

  async get(pseudonym: string): Promise<WrappedKey | undefined> {
    const { rows } = await this.#client.query(
      `SELECT master_kid, wrapped FROM ${this.table} k
       WHERE pseudonym = $1 AND master_kid <> ''
       AND NOT EXISTS (SELECT 1 FROM ${this.shredTable} s WHERE s.pseudonym = k.pseudonym)`,
      [pseudonym],
    )
    const row = rows[0] as KeyRow | undefined
    return row === undefined ? undefined : toWrappedKey(row)
  }

  async put(pseudonym: string, key: WrappedKey): Promise<WrappedKey | undefined> {
    for (let attempt = 0; attempt < 3; attempt++) {
      // The key inserted, or else the readable key already stored, in one statement. The second
      // part reads the statement's snapshot, so a key committed by a racing writer after it began
      // is not in it: the `get` below finds that one.
      const stored = await this.#client.query(
        `WITH inserted AS (
           INSERT INTO ${this.table} (pseudonym, master_kid, wrapped)
           SELECT $1::text, $2::text, $3::bytea
           WHERE NOT EXISTS (SELECT 1 FROM ${this.shredTable} WHERE pseudonym = $1::text)
           ON CONFLICT (pseudonym) DO NOTHING RETURNING master_kid, wrapped
         )
         SELECT master_kid, wrapped FROM inserted
         UNION ALL
         SELECT master_kid, wrapped FROM ${this.table} k
         WHERE NOT EXISTS (SELECT 1 FROM inserted) AND pseudonym = $1::text AND master_kid <> ''
         AND NOT EXISTS (SELECT 1 FROM ${this.shredTable} s WHERE s.pseudonym = k.pseudonym)`,
        [pseudonym, key.masterKid, Buffer.from(key.wrapped)],
      )
      const row = stored.rows[0] as KeyRow | undefined
      if (row !== undefined) return toWrappedKey(row)
      const existing = await this.get(pseudonym)
      if (existing !== undefined) return existing
      if (await this.isShredded(pseudonym)) {
        // A put that raced the shred may have left a row behind; it can never be read: clear it.
        await this.#client.query(`DELETE FROM ${this.table} WHERE pseudonym = $1`, [pseudonym])
        return undefined
      }
      // The conflicting row is a zeroed leftover: clear it and try again.
      await this.#client.query(`DELETE FROM ${this.table} WHERE pseudonym = $1 AND master_kid = ''`, [
        pseudonym,
      ])
    }
    throw new Error('Could not store the data key: the row kept changing under concurrent writers.')
  }

  async replace(pseudonym: string, expected: WrappedKey, next: WrappedKey): Promise<boolean> {
    const { rows } = await this.#client.query(
      `UPDATE ${this.table} SET master_kid = $4, wrapped = $5
       WHERE pseudonym = $1 AND master_kid = $2 AND wrapped = $3 RETURNING pseudonym`,
      [
        pseudonym,
        expected.masterKid,
        Buffer.from(expected.wrapped),
        next.masterKid,
        Buffer.from(next.wrapped),
      ],
    )
    return rows.length === 1
  }

  /**
   * The shred. Records it in worker_shreds first (from then on no key is read or made for the
   * worker), overwrites the wrapped key with zeros, deletes the row, then asks for VACUUM.
   * In PostgreSQL the UPDATE writes a new, zeroed row version rather than overwriting the old one
   * in place; it matters for a shred interrupted between the two statements (the surviving row
   * holds nothing) and for storage engines that do update in place. VACUUM is what lets the old
   * versions go; see the README for what stays in WAL and backups.
   */
  async delete(pseudonym: string): Promise<boolean> {
    await this.#client.query(
      `INSERT INTO ${this.shredTable} (pseudonym) VALUES ($1) ON CONFLICT DO NOTHING`,
      [pseudonym],
    )
    await this.#client.query(
      `UPDATE ${this.table} SET wrapped = decode(repeat('00', octet_length(wrapped)), 'hex'), master_kid = ''
       WHERE pseudonym = $1`,
      [pseudonym],
    )
    const deleted = await this.#client.query(
      `DELETE FROM ${this.table} WHERE pseudonym = $1 RETURNING pseudonym`,
      [pseudonym],
    )
    if (this.#vacuumAfterDelete && deleted.rows.length > 0) await this.vacuum()
    return deleted.rows.length > 0
  }

  async isShredded(pseudonym: string): Promise<boolean> {
    const { rows } = await this.#client.query(`SELECT 1 FROM ${this.shredTable} WHERE pseudonym = $1`, [
      pseudonym,
    ])
    return rows.length > 0
  }

  /**
   * `VACUUM` on worker_keys. It cannot run inside a transaction block, needs the table's owner,
   * and not every engine has it; a refusal is reported to `onVacuumError` and answered false,
   * never thrown: the key is already deleted by then.
   */
  async vacuum(): Promise<boolean> {
    try {
      await this.#client.query(`VACUUM ${this.table}`)
      return true
    } catch (error) {
      this.#onVacuumError?.(error)
      return false
    }
  }

  /**
   * `VACUUM FULL` on worker_keys: rewrites the table into new files, so the bytes of shredded keys
   * that plain VACUUM leaves in freed space are no longer in the table's files. It locks the table
   * against all reads and writes while it runs: for a maintenance window after a batch of shreds.
   * Throws if refused.
   */
  async compact(): Promise<void> {
    await this.#client.query(`VACUUM FULL ${this.table}`)
  }

  async *list(options: ListKeysOptions = {}): AsyncIterable<StoredKey> {
    let after = ''
    for (;;) {
      const { rows } = await this.#client.query(
        `SELECT pseudonym, master_kid, wrapped FROM ${this.table} k
         WHERE pseudonym > $1 AND master_kid <> '' AND ($2::text IS NULL OR master_kid <> $2::text)
         AND NOT EXISTS (SELECT 1 FROM ${this.shredTable} s WHERE s.pseudonym = k.pseudonym)
         ORDER BY pseudonym LIMIT $3`,
        [after, options.exceptMasterKid ?? null, this.#listBatchSize],
      )
      for (const row of rows as KeyRow[]) {
        after = String(row.pseudonym)
        yield { pseudonym: after, ...toWrappedKey(row) }
      }
      if (rows.length < this.#listBatchSize) return
    }
  }
}

function toWrappedKey(row: KeyRow): WrappedKey {
  return { masterKid: row.master_kid, wrapped: toBytes(row.wrapped) }
}

/** pg answers bytea as a Buffer, PGlite as a Uint8Array; a client without type parsing gives `\x<hex>`. */
function toBytes(value: unknown): Uint8Array {
  if (value instanceof Uint8Array) return new Uint8Array(value)
  if (typeof value === 'string' && value.startsWith('\\x'))
    return new Uint8Array(Buffer.from(value.slice(2), 'hex'))
  throw new TypeError('The key store answered a wrapped key that is not bytea.')
}

function sqlState(error: unknown): string {
  return typeof error === 'object' && error !== null && 'code' in error ? String(error.code) : ''
}
