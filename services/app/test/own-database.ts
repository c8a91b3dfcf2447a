import { randomUUID } from 'node:crypto'
import pg from 'pg'

/**
 * A fresh database on the test server, for a process that uses the store's default schemas; its
 * URL, and `drop()` to remove it (and close the admin connection) afterwards.
 */
export async function ownDatabase(
  serverUrl: string,
  prefix: string,
): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `${prefix}_${randomUUID().slice(0, 8)}`
  const admin = new pg.Client({ connectionString: serverUrl })
  await admin.connect()
  await admin.query(`create database ${name}`)
  const u = new URL(serverUrl)
  u.pathname = `/${name}`
  return {
    url: u.toString(),
    async drop() {
      await admin.query(`drop database if exists ${name} with (force)`)
      await admin.end()
    },
  }
}
