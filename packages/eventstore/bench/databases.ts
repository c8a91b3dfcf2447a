import pg from 'pg'

/** The server's base URL: `DATABASE_URL`, else the local test server. */
export function serverUrl(): string {
  return process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test'
}

export function redactUrl(url: string): string {
  return url.replace(/\/\/([^:@/]+):[^@/]*@/, '//$1:***@')
}

/** The same server and credentials, another database. */
export function databaseUrl(base: string, database: string): string {
  const url = new URL(base)
  url.pathname = `/${database}`
  return url.toString()
}

function quote(name: string): string {
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(name)) throw new Error(`invalid database name: ${name}`)
  return `"${name}"`
}

/** Creates and drops the bench's databases through one connection to the base database. */
export class DatabaseAdmin {
  readonly baseUrl: string
  readonly #client: pg.Client
  readonly #created = new Set<string>()

  constructor(baseUrl: string) {
    this.baseUrl = baseUrl
    this.#client = new pg.Client({ connectionString: baseUrl, application_name: 'trec-store-bench' })
    this.#client.on('error', () => undefined)
  }

  async connect(): Promise<void> {
    await this.#client.connect()
  }

  query<R extends pg.QueryResultRow>(sql: string): Promise<pg.QueryResult<R>> {
    return this.#client.query<R>(sql)
  }

  /** A fresh, empty database (a leftover from an interrupted run is dropped first). */
  async create(database: string): Promise<string> {
    await this.#client.query(`drop database if exists ${quote(database)} with (force)`)
    await this.#client.query(`create database ${quote(database)}`)
    this.#created.add(database)
    return databaseUrl(this.baseUrl, database)
  }

  async dropAll(): Promise<void> {
    for (const database of this.#created) {
      await this.#client.query(`drop database if exists ${quote(database)} with (force)`)
      this.#created.delete(database)
    }
  }

  /** Starts each measurement from a clean checkpoint; skipped when the role may not. */
  async checkpoint(): Promise<void> {
    await this.#client.query('checkpoint').catch(() => undefined)
  }

  end(): Promise<void> {
    return this.#client.end()
  }
}
