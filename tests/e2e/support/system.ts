import { randomBytes, randomUUID } from 'node:crypto'
import { buildApp, type Runtime, serviceNames } from '@trec/app'
import { cryptoProfile } from '@trec/core'
import type { EventStore, SqlExecutor } from '@trec/eventstore'
import { openPGliteEventStore, PGlite, pgliteExecutor } from '@trec/eventstore/pglite'
import { pgExecutor, SqlEventStore } from '@trec/eventstore/postgres'
import { createTokenIssuer, type Platform, type TokenIssuer } from '@trec/fastify-kit'
import { type TestTokens, testTokens } from '@trec/fastify-kit/testing'
import { KeyRing, SqlKeyStore } from '@trec/privacy'
import { type AttestationIssuer, createAttestationIssuer } from '@trec/training'
import pg from 'pg'
import { type Client, client } from './client.ts'
import { fetchSender, injectSender } from './http.ts'

// The composed app (every write-side service in one process, as `npm start` runs it) with a
// clock the tests move, a fresh token issuer, and fresh secrets. On PostgreSQL it gets a schema
// of its own for the events, dropped at the end; keys and idempotency records live in the same
// database, as `openRuntime` puts them.

export interface System {
  app: Platform
  store: EventStore
  tokens: TestTokens
  /** Signs worker tokens, as POST /v1/worker-sessions does (its key the app's worker-session key). */
  workerTokens: TokenIssuer
  /** An identity source the app trusts (every method): signs real-name attestations. */
  identity: AttestationIssuer
  clock: { now: Date }
  pseudonymSecret: string
  masterKey: { kid: string; key: Uint8Array }
  /** Requests with tokens, over the transport the system was started with. */
  http: Client
  /** The workers' data keys, as the finance system seals accounts with them. */
  keyRing: KeyRing
  /** The database of the store, keys, idempotency records and read models. */
  sql: SqlExecutor
  close(): Promise<void>
}

/** `projections`: run the read side (projections, detectors, notary) in the background, as a deployment does. */
export interface SystemOptions {
  projections?: boolean
}

async function compose(runtime: Runtime, start: Date, options: SystemOptions = {}) {
  const tokens = await testTokens()
  const workerTokens = await createTokenIssuer('https://sessions.trec.test', tokens.audience)
  const identity = await createAttestationIssuer('idp.e2e.test')
  const clock = { now: new Date(start) }
  const pseudonymSecret = randomBytes(32).toString('hex')
  const masterKey = { kid: `e2e-${randomUUID().slice(0, 8)}`, key: randomBytes(32) }
  const app = await buildApp({
    runtime,
    auth: { issuer: tokens.issuer, audience: tokens.audience, keys: { jwks: tokens.jwks } },
    services: serviceNames,
    identityIssuers: [identity.trusted()],
    workerSessions: workerTokens,
    pseudonymSecret,
    masterKey,
    logLevel: 'silent',
    clock: () => clock.now,
    // Background projections and detectors append (alerts, for one) on their own time; most
    // suites assert exactly what each request appends, so nothing else may write meanwhile.
    runProjections: options.projections === true,
    audit: {
      signing: {
        origin: 'trec.e2e/audit-log',
        keys: [
          { privateKey: cryptoProfile().signature.generateKeyPair().privateKey, notBefore: new Date(0) },
        ],
      },
    },
  })
  const keyRing = new KeyRing({ store: new SqlKeyStore(runtime.client), masterKey })
  return { app, tokens, workerTokens, identity, clock, pseudonymSecret, masterKey, keyRing, sql: runtime.sql }
}

/** In-process, on the embedded store: for the many small requests of the hardening suites. */
export async function embeddedSystem(start: Date, options: SystemOptions = {}): Promise<System> {
  const db = new PGlite()
  const store = await openPGliteEventStore({ db })
  const runtime: Runtime = { store, sql: pgliteExecutor(db), client: db, close: () => store.close() }
  const parts = await compose(runtime, start, options)
  await parts.app.ready()
  return {
    ...parts,
    store,
    http: client(injectSender(parts.app), parts.tokens, parts.workerTokens),
    close: () => parts.app.close(),
  }
}

export interface PostgresSystem extends System {
  url: string
  pool: pg.Pool
  schema: string
}

/** Listening on 127.0.0.1 (an ephemeral port), on a PostgreSQL server, called with `fetch`. */
export async function postgresSystem(connectionString: string, start: Date): Promise<PostgresSystem> {
  const pool = new pg.Pool({ connectionString, max: 10, application_name: 'trec-e2e' })
  pool.on('error', () => undefined)
  const schema = `e2e_${randomUUID().replaceAll('-', '').slice(0, 12)}`
  const sql = pgExecutor(pool)
  const store = new SqlEventStore(sql, { schema })
  await store.migrate()
  const runtime: Runtime = {
    store,
    sql,
    client: pool,
    async close() {
      await pool.query(`drop schema if exists "${schema}" cascade`)
      await store.close()
    },
  }
  const parts = await compose(runtime, start)
  const url = await parts.app.listen({ host: '127.0.0.1', port: 0 })
  return {
    ...parts,
    store,
    url,
    pool,
    schema,
    http: client(fetchSender(url), parts.tokens, parts.workerTokens),
    close: () => parts.app.close(),
  }
}
