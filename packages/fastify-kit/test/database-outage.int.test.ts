import { createServer, type Server, Socket } from 'node:net'
import { pgExecutor } from '@trec/eventstore/postgres'
import { postgresForTests } from '@trec/eventstore/testing'
import Fastify, { type FastifyInstance } from 'fastify'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { authPlugin, idempotencyPlugin, problemPlugin } from '../src/index.ts'
import { type TestTokens, testTokens } from '../test-support/index.ts'

// The database goes away while the API is up: every request that needs it gets 503 problem+json
// with `canRetry` and Retry-After, never 500, and the API answers again once the database is back.
// The outage is real: the app reaches PostgreSQL through a TCP relay that the test cuts (open
// connections destroyed, new ones refused) and restores.

const server = await postgresForTests()
const suite = 'skip' in server ? describe.skip : describe
const title =
  'skip' in server
    ? `database outage answers (skipped: ${server.skip})`
    : 'requests while the database is unreachable'

/** A TCP relay to PostgreSQL that can be cut and restored. */
class Relay {
  readonly #target: URL
  readonly #sockets = new Set<Socket>()
  #server?: Server
  port = 0

  constructor(url: string) {
    this.#target = new URL(url)
  }

  async up(): Promise<void> {
    if (this.#server) return
    const server = createServer((client) => {
      const upstream = new Socket()
      for (const s of [client, upstream]) {
        this.#sockets.add(s)
        s.on('close', () => this.#sockets.delete(s))
        s.on('error', () => undefined)
      }
      upstream.connect(Number(this.#target.port || 5432), this.#target.hostname)
      client.pipe(upstream).pipe(client)
    })
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject)
      server.listen(this.port, '127.0.0.1', resolve)
    })
    this.port = (server.address() as { port: number }).port
    this.#server = server
  }

  async down(): Promise<void> {
    for (const s of this.#sockets) s.destroy()
    await new Promise<void>((resolve) => (this.#server ? this.#server.close(() => resolve()) : resolve()))
    this.#server = undefined
  }

  url(): string {
    const u = new URL(this.#target)
    u.hostname = '127.0.0.1'
    u.port = String(this.port)
    return u.toString()
  }
}

suite(title, () => {
  let app: FastifyInstance
  let tokens: TestTokens
  let relay: Relay
  let pool: pg.Pool
  const schema = `outage_${process.pid}`

  beforeAll(async () => {
    if ('skip' in server) return
    relay = new Relay(server.url)
    await relay.up()
    pool = new pg.Pool({ connectionString: relay.url(), max: 2, connectionTimeoutMillis: 2000 })
    pool.on('error', () => undefined)
    tokens = await testTokens()
    app = Fastify()
    await app.register(problemPlugin)
    await app.register(authPlugin, {
      issuer: tokens.issuer,
      audience: tokens.audience,
      keys: { jwks: tokens.jwks },
    })
    await app.register(idempotencyPlugin, { db: pgExecutor(pool), schema })
    app.post('/v1/things', { config: { auth: { roles: ['institution_staff'] } } }, async () => ({ ok: true }))
    app.get('/v1/count', { config: { auth: { roles: ['institution_staff'] } } }, async () => {
      const { rows } = await pool.query('select count(*)::int as n from pg_class')
      return { n: rows[0].n }
    })
    await app.listen({ host: '127.0.0.1', port: 0 })
  })

  afterAll(async () => {
    await app?.close()
    await relay?.up()
    await pool?.query(`drop schema if exists "${schema}" cascade`).catch(() => undefined)
    await pool?.end()
    await relay?.down()
  })

  const call = async (method: 'GET' | 'POST', path: string, key?: string) => {
    const token = await tokens.mint({ sub: 'staff-1', role: 'institution_staff', institution: 'I-1' })
    const { port } = app.server.address() as { port: number }
    return fetch(`http://127.0.0.1:${port}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        ...(method === 'POST' ? { 'content-type': 'application/json' } : {}),
        ...(key ? { 'idempotency-key': key } : {}),
      },
      ...(method === 'POST' ? { body: '{}' } : {}),
    })
  }

  it('answers 503 with canRetry and Retry-After while it is down, and 2xx again once it is back', async () => {
    expect((await call('POST', '/v1/things', 'k-before')).status).toBe(200)
    await relay.down()
    for (const [method, path, key] of [
      ['POST', '/v1/things', 'k-during'],
      ['GET', '/v1/count', undefined],
    ] as const) {
      const response = await call(method, path, key)
      expect(response.status, `${method} ${path}`).toBe(503)
      expect(response.headers.get('content-type')).toContain('application/problem+json')
      expect(response.headers.get('retry-after')).toBe('1')
      const problem = (await response.json()) as { code: string; canRetry?: boolean; detail: string }
      expect(problem.code).toBe('TREC_STORE_UNAVAILABLE')
      expect(problem.canRetry).toBe(true)
      expect(problem.detail).not.toMatch(/ECONN|127\.0\.0\.1|pg/)
    }
    await relay.up()
    expect((await call('POST', '/v1/things', 'k-during')).status).toBe(200)
    expect((await call('GET', '/v1/count')).status).toBe(200)
  })
})
