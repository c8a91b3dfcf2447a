import { openPostgresEventStore } from '@trec/eventstore/postgres'
import pg from 'pg'
import type { BenchSystem } from './system.ts'

/** trec's PostgreSQL adapter, through its public `EventStore` interface only. */
export async function trecSystem(url: string): Promise<BenchSystem> {
  // Opening once with migrations creates the schema; measurements reopen with `skipMigrate`.
  await (await openPostgresEventStore({ connectionString: url, maxConnections: 1 })).close()
  const admin = new pg.Client({ connectionString: url })
  admin.on('error', () => undefined)
  await admin.connect()
  return {
    name: 'trec',
    async open(connections) {
      const store = await openPostgresEventStore({
        connectionString: url,
        maxConnections: connections,
        skipMigrate: true,
      })
      return {
        async appendOne(stream, event) {
          await store.append(stream, [event], { expectedRevision: 'any' })
        },
        async appendBatch(stream, events) {
          await store.append(stream, events, { expectedRevision: 'any' })
        },
        reader(batchSize, limit) {
          let after = 0n
          let read = 0
          return {
            async next() {
              const events = await store.readAll({ after, maxCount: Math.min(batchSize, limit - read) })
              read += events.length
              after = events.at(-1)?.position ?? after
              if (events.length === 0 || read >= limit) {
                after = 0n
                read = 0
              }
              return events.length
            },
          }
        },
        close: () => store.close(),
      }
    },
    async count() {
      const { rows } = await admin.query<{ n: string }>('select count(*)::text as n from trec.events')
      return Number(rows[0]!.n)
    },
    async readableCount() {
      // The feed's own visibility rule (src/sql/schema.ts): below the oldest running transaction.
      const { rows } = await admin.query<{ n: string }>(
        'select count(*)::text as n from trec.events where position < (pg_snapshot_xmin(pg_current_snapshot())::text::int8 << 20)',
      )
      return Number(rows[0]!.n)
    },
    async analyze() {
      await admin.query('analyze trec.events, trec.streams')
    },
    async vacuum() {
      await admin.query('vacuum (analyze) trec.events, trec.streams')
    },
    end: () => admin.end(),
  }
}
