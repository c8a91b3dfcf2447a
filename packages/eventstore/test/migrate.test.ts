import { migrateOnce } from '@trec/eventstore'
import { newEmbeddedDb, pgliteExecutor } from '@trec/eventstore/pglite'
import { afterAll, expect, it } from 'vitest'

const db = newEmbeddedDb()
const sql = pgliteExecutor(db)
afterAll(() => db.close())

const tables = async () =>
  (
    await sql.query<{ name: string }>(
      `select table_name as name from information_schema.tables where table_schema = 'm_test' order by 1`,
    )
  ).map((r) => r.name)

it('runs a schema script once, again when it changes, and again when the schema was dropped', async () => {
  const v1 = 'create schema if not exists m_test; create table if not exists m_test.a (x int);'
  await migrateOnce(sql, 'm_test', 7406901, v1)
  expect(await tables()).toEqual(['a'])

  // The same script is skipped: a table dropped behind its back is not made again.
  await sql.query('drop table m_test.a')
  await migrateOnce(sql, 'm_test', 7406901, v1)
  expect(await tables()).toEqual([])

  // A changed script runs.
  const v2 = `${v1} create table if not exists m_test.b (y int);`
  await migrateOnce(sql, 'm_test', 7406901, v2)
  expect(await tables()).toEqual(['a', 'b'])

  // A dropped schema takes its digest with it: the same script runs again.
  await sql.query('drop schema m_test cascade')
  await migrateOnce(sql, 'm_test', 7406901, v2)
  expect(await tables()).toEqual(['a', 'b'])
})
