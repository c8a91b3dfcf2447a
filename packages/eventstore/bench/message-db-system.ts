// Message DB (Eventide, MIT), installed from the SQL scripts its npm package ships and driven
// the way its own clients drive it: `write_message` per message, `get_category_messages` to read.

import { readFile } from 'node:fs/promises'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import pg from 'pg'
import { category } from './payload.ts'
import type { BenchSystem } from './system.ts'

// The order of `database/install.sh` and the scripts it sources (install-functions.sh,
// install-indexes.sh, install-views.sh). Left out:
// - `roles/message-store.sql`: it creates the cluster-wide login role `message_store`, which would
//   outlive the bench's database; the bench connects as the server's own user instead;
// - `install-privileges.sh` (`privileges/*.sql`): only GRANTs to that role.
// Neither changes what a write or a read does.
export const installScripts = [
  'schema/message-store.sql',
  'extensions/pgcrypto.sql',
  'tables/messages.sql',
  'types/message.sql',
  'functions/message-store-version.sql',
  'functions/hash-64.sql',
  'functions/acquire-lock.sql',
  'functions/category.sql',
  'functions/is-category.sql',
  'functions/id.sql',
  'functions/cardinal-id.sql',
  'functions/stream-version.sql',
  'functions/write-message.sql',
  'functions/get-stream-messages.sql',
  'functions/get-category-messages.sql',
  'functions/get-last-stream-message.sql',
  'indexes/messages-id.sql',
  'indexes/messages-stream.sql',
  'indexes/messages-category.sql',
  'views/stream-summary.sql',
  'views/type-summary.sql',
  'views/stream-type-summary.sql',
  'views/type-stream-summary.sql',
  'views/category-type-summary.sql',
  'views/type-category-summary.sql',
]

export function messageDbScriptsDir(): string {
  const require = createRequire(import.meta.url)
  return join(dirname(require.resolve('@eventide/message-db/package.json')), 'database')
}

/** The npm package's version and the version its database scripts declare. */
export async function messageDbVersion(): Promise<string> {
  const dir = messageDbScriptsDir()
  const pkg = JSON.parse(await readFile(join(dir, '..', 'package.json'), 'utf8')) as { version: string }
  const scripts = (await readFile(join(dir, 'VERSION.txt'), 'utf8')).trim()
  return `${pkg.version}, database scripts ${scripts}`
}

// The server functions name their tables and helper functions without the schema: Message DB's
// clients connect with `message_store` first on the search path.
const searchPath = '-c search_path=message_store,public'

// The statements of Message DB's own clients (e.g. message-db's Ruby gem), casts included.
const writeSql =
  'select message_store.write_message($1::varchar, $2::varchar, $3::varchar, $4::jsonb, $5::jsonb, $6::bigint)'
const readSql = 'select * from message_store.get_category_messages($1::varchar, $2::bigint, $3::bigint)'
// A batch as one statement: the same server function once per message, one round trip.
const writeBatchSql = `select message_store.write_message(e->>'id', $1::varchar, e->>'type', e->'data', e->'metadata', null)
  from jsonb_array_elements($2::jsonb) with ordinality t(e, o) order by o`

interface MessageRow {
  global_position: string
  data: string
  metadata: string
}

/** Runs the install scripts, in their order, into the (empty) database at `url`. */
export async function installMessageDb(url: string): Promise<void> {
  const dir = messageDbScriptsDir()
  const client = new pg.Client({ connectionString: url, options: searchPath })
  client.on('error', () => undefined)
  await client.connect()
  try {
    await client.query('set client_min_messages = warning')
    for (const script of installScripts) {
      const sql = await readFile(join(dir, script), 'utf8')
      await client.query(sql).catch((error: Error) => {
        throw new Error(`Message DB install script ${script} failed: ${error.message}`)
      })
    }
  } finally {
    await client.end()
  }
}

/** Message DB installed at `url` (see `installMessageDb`). */
export async function messageDbSystem(
  url: string,
  options: { batchAsOneStatement?: boolean } = {},
): Promise<BenchSystem> {
  const admin = new pg.Client({ connectionString: url, options: searchPath })
  admin.on('error', () => undefined)
  await admin.connect()
  return {
    name: options.batchAsOneStatement ? 'Message DB (batch as one statement)' : 'Message DB',
    async open(connections) {
      const pool = new pg.Pool({
        connectionString: url,
        max: connections,
        options: searchPath,
        application_name: 'trec-store-bench',
      })
      pool.on('error', () => undefined)
      return {
        async appendOne(stream, event) {
          await pool.query(writeSql, [
            event.id,
            stream,
            event.type,
            JSON.stringify(event.data),
            JSON.stringify(event.metadata),
            null,
          ])
        },
        async appendBatch(stream, events) {
          if (options.batchAsOneStatement) {
            await pool.query(writeBatchSql, [stream, JSON.stringify(events)])
            return
          }
          // No batch API: one write_message per message inside one transaction, as its clients do.
          const client = await pool.connect()
          try {
            await client.query('begin')
            for (const event of events)
              await client.query(writeSql, [
                event.id,
                stream,
                event.type,
                JSON.stringify(event.data),
                JSON.stringify(event.metadata),
                null,
              ])
            await client.query('commit')
          } catch (error) {
            await client.query('rollback').catch(() => undefined)
            throw error
          } finally {
            client.release()
          }
        },
        reader(batchSize, limit) {
          // Global positions start at 1; the position argument is inclusive.
          let position = 1n
          let read = 0
          return {
            async next() {
              const { rows } = await pool.query<MessageRow>(readSql, [
                category,
                position.toString(),
                Math.min(batchSize, limit - read),
              ])
              // The function returns data and metadata as text; a client parses them.
              for (const row of rows) {
                row.data = JSON.parse(row.data)
                row.metadata = JSON.parse(row.metadata)
              }
              read += rows.length
              const last = rows.at(-1)
              if (last) position = BigInt(last.global_position) + 1n
              if (rows.length === 0 || read >= limit) {
                position = 1n
                read = 0
              }
              return rows.length
            },
          }
        },
        close: () => pool.end(),
      }
    },
    async count() {
      const { rows } = await admin.query<{ n: string }>(
        'select count(*)::text as n from message_store.messages',
      )
      return Number(rows[0]!.n)
    },
    async analyze() {
      await admin.query('analyze message_store.messages')
    },
    async vacuum() {
      await admin.query('vacuum (analyze) message_store.messages')
    },
    end: () => admin.end(),
  }
}
