import { randomUUID } from 'node:crypto'
import { openPostgresEventStore } from '@trec/eventstore/postgres'
import pg from 'pg'
import { afterAll, describe, expect, it } from 'vitest'
import { coalesceAppends } from '../src/coalesce.ts'
import { runEventStoreContract } from '../test-support/contract.ts'
import { postgresForTests } from '../test-support/servers.ts'

const server = await postgresForTests()

if ('skip' in server) {
  describe.skip(`event store contract: PostgreSQL (skipped: ${server.skip})`, () => {})
} else {
  const schema = `contract_${randomUUID().slice(0, 8)}`
  runEventStoreContract('PostgreSQL (pg)', () =>
    openPostgresEventStore({ connectionString: server.url, schema, maxConnections: 24 }),
  )
  // The same contract through the group-commit decorator the app puts in front of the store.
  const coalescedSchema = `contract_${randomUUID().slice(0, 8)}`
  runEventStoreContract('PostgreSQL (pg) with appends coalesced', async () =>
    coalesceAppends(
      await openPostgresEventStore({
        connectionString: server.url,
        schema: coalescedSchema,
        maxConnections: 24,
      }),
    ),
  )
  it('lastPosition shows an event the feed holds back while an older transaction is open', async () => {
    const store = await openPostgresEventStore({ connectionString: server.url, schema, maxConnections: 4 })
    const other = new pg.Client({ connectionString: server.url })
    await other.connect()
    try {
      await other.query('begin')
      await other.query('select pg_current_xact_id()') // takes a transaction id, older than the append's
      const [position] = (
        await store.append(`gap-${randomUUID()}`, [{ id: randomUUID(), type: 'G', data: {} }])
      ).positions
      expect(await store.headPosition()).toBeLessThan(position!)
      expect(await store.lastPosition()).toBe(position)
      await other.query('commit')
      expect(await store.headPosition()).toBe(position)
    } finally {
      await other.end()
      await store.close()
    }
  })
  afterAll(async () => {
    const client = new pg.Client({ connectionString: server.url })
    await client.connect()
    await client.query(`drop schema if exists "${schema}" cascade`)
    await client.query(`drop schema if exists "${coalescedSchema}" cascade`)
    await client.end()
  })
}
