import pg from 'pg'

/**
 * Where the PostgreSQL for tests is: `DATABASE_URL`, else the local server on 127.0.0.1:5432.
 * Answers `{ skip }` with the reason when neither answers, so the suite reports it as skipped.
 */
export async function postgresForTests(): Promise<{ url: string } | { skip: string }> {
  const url = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test'
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3000 })
  try {
    await client.connect()
    await client.query('select 1')
    return { url }
  } catch (error) {
    return { skip: `no PostgreSQL at ${redactUrl(url)}: ${(error as Error).message}` }
  } finally {
    await client.end().catch(() => undefined)
  }
}

function redactUrl(url: string): string {
  return url.replace(/\/\/([^:@/]+):[^@/]*@/, '//$1:***@')
}
