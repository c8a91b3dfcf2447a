import { openPostgresEventStore } from '@trec/eventstore/postgres'
import pg from 'pg'
import { storeProvince } from '../scale/append-stage.ts'
import { parseOptions } from '../scale/options.ts'

// A synthetic province kept in a PostgreSQL database of its own, named for it, so benchmarks that
// read a large record build it once and reuse it: `trec_bench_<name>` on the server DATABASE_URL
// names, its events in the store's schema (`trec`) as `TREC_STORE=postgres` opens it. A table
// `bench_province` marks a finished build; a database without the mark (a build cut short) is
// dropped and built again.

export interface BenchProvince {
  /** The database's connection string. */
  url: string
  database: string
  events: number
  /** True when this call built it; false when it was there already. */
  built: boolean
  buildSeconds: number
}

const identifier = (name: string) => `trec_bench_${name.toLowerCase().replaceAll(/[^a-z0-9]+/g, '_')}`

export async function benchProvince(serverUrl: string, name: string, events: number): Promise<BenchProvince> {
  const database = identifier(name)
  const url = new URL(serverUrl)
  url.pathname = `/${database}`
  const admin = new pg.Client({ connectionString: serverUrl })
  await admin.connect()
  try {
    const exists = (await admin.query('select 1 from pg_database where datname = $1', [database])).rowCount
    if (exists) {
      const marked = await markOf(url.toString())
      if (marked !== undefined)
        return { url: url.toString(), database, events: marked, built: false, buildSeconds: 0 }
      console.error(`${database} holds no finished province: building it again`)
      await admin.query(`drop database "${database}" with (force)`)
    }
    await admin.query(`create database "${database}"`)
  } finally {
    await admin.end()
  }
  const started = performance.now()
  const store = await openPostgresEventStore({ connectionString: url.toString(), maxConnections: 4 })
  try {
    const options = parseOptions(['--events', String(events), '--seed', name])
    if ('help' in options) throw new Error(options.help)
    const figures = await storeProvince(store, options)
    const client = new pg.Client({ connectionString: url.toString() })
    await client.connect()
    await client.query('create table bench_province (events bigint not null, built_at timestamptz not null)')
    await client.query('insert into bench_province values ($1, now())', [figures.events])
    await client.end()
    return {
      url: url.toString(),
      database,
      events: figures.events,
      built: true,
      buildSeconds: Math.round((performance.now() - started) / 1000),
    }
  } finally {
    await store.close()
  }
}

async function markOf(url: string): Promise<number | undefined> {
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  try {
    const { rows } = await client.query<{ events: string }>('select events::text from bench_province')
    return rows[0] ? Number(rows[0].events) : undefined
  } catch {
    return undefined
  } finally {
    await client.end()
  }
}
