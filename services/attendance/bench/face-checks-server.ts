// The server side of the face-check benchmark: the platform with the attendance service on one
// store, a class with its roster and one long session, a registered device (terminal and
// learning platform alike sign with its key), listening on
// 127.0.0.1. It prints one JSON line (URL, a device token, the device's private key) and runs
// until SIGTERM, then drops what it created.

import { createHash } from 'node:crypto'
import { type DomainEventToAppend, toEventToAppend } from '@trec/contracts'
import type { EventStore } from '@trec/eventstore'
import { openPGliteEventStore, PGlite, pgliteExecutor } from '@trec/eventstore/pglite'
import { openPostgresEventStore } from '@trec/eventstore/postgres'
import { buildPlatform, createTokenIssuer } from '@trec/fastify-kit'
import { exportJWK, generateKeyPair } from 'jose'
import pg from 'pg'
import { attendanceService } from '../src/index.ts'
import type { ServerInfo } from './face-checks.bench.ts'

const classId = 'cls-bench'
const institution = 'inst-bench'
const region = '130102'
const sessionStart = Date.parse('2024-04-08T08:00:00+08:00')
const sessionEnd = Date.parse('2024-04-08T17:00:00+08:00')

function databaseUrl(): string {
  return process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test'
}

/** The application name of the store's connections, so the bench can find its backends' CPU. */
function applicationName(schema: string): string {
  return `trec-bench-${schema}`
}

/** The store's connection string with the bench's application name (it takes precedence over the pool's). */
function storeUrl(schema: string): string {
  const url = new URL(databaseUrl())
  url.searchParams.set('application_name', applicationName(schema))
  return url.toString()
}

export type StoreKind = 'pglite' | 'postgres' | 'discard'

/**
 * `discard` is the embedded store with its multi-stream appends answered without writing: not
 * a store, a diagnostic that shows what the service costs on its own, apart from the appends.
 */
function discardingAppends(store: EventStore): EventStore {
  store.appendMany = async (parts) =>
    parts.map((part) => ({
      revision: part.events.length - 1,
      positions: part.events.map(() => 0n),
      written: true,
    }))
  return store
}

async function openStore(kind: StoreKind, schema: string): Promise<EventStore> {
  if (kind === 'pglite') return openPGliteEventStore()
  if (kind === 'discard') return discardingAppends(await openPGliteEventStore())
  const probe = new pg.Client({ connectionString: databaseUrl(), connectionTimeoutMillis: 2000 })
  await probe.connect().catch((e: Error) => {
    throw new Error(`no PostgreSQL server answers (${e.message})`)
  })
  await probe.end()
  return openPostgresEventStore({ connectionString: storeUrl(schema), schema, maxConnections: 8 })
}

async function seed(store: EventStore, workers: number): Promise<string[]> {
  const roster = Array.from({ length: workers }, (_, i) =>
    createHash('sha256').update(`bench-worker-${i}`).digest('hex').slice(0, 32),
  )
  const sessions = [
    {
      session: 'ses-bench',
      start: new Date(sessionStart).toISOString(),
      end: new Date(sessionEnd).toISOString(),
      venue: '实训楼301',
      mode: 'offline' as const,
    },
  ]
  const teachers = [{ teacher: 'tch-1', role: 'both' as const }]
  const events: DomainEventToAppend[] = [
    {
      type: 'ClassOpeningApplied',
      data: {
        class: classId,
        institution,
        programme: 'prog-bench',
        region,
        // Blended, so the same class takes a learning platform's segments beside the terminal's checks.
        mode: 'blended',
        route: 'designated_institution',
        plannedStart: '2024-04-08',
        plannedEnd: '2024-04-08',
        plannedHours: 8,
        capacity: Math.max(workers, 1),
        sessions,
        teachers,
      },
    },
    { type: 'ClassOpened', data: { class: classId, institution, sessions, teachers, roster } },
  ]
  const meta = {
    occurredAt: '2024-04-01T09:00:00+08:00',
    actor: { kind: 'admin' as const, id: 'bench' },
    source: 'trec.bench',
    region,
  }
  await store.append(
    `class-${classId}`,
    events.map((e) => toEventToAppend(e, meta)),
  )
  return roster
}

export async function serve(kind: StoreKind, workers: number, schema = 'bench_attendance'): Promise<void> {
  const store = await openStore(kind, schema)
  const tokens = await createTokenIssuer('https://idp.bench.test', 'trec-api')
  const idempotencyDb = new PGlite()
  const app = await buildPlatform({
    auth: { issuer: tokens.issuer, audience: tokens.audience, keys: { jwks: tokens.jwks } },
    db: pgliteExecutor(idempotencyDb),
    logLevel: 'warn',
  })
  await app.register(attendanceService, { store, clock: () => new Date(sessionEnd + 3_600_000) })
  const roster = await seed(store, workers)

  const device = 'dev-bench'
  const { privateKey, publicKey } = await generateKeyPair('EdDSA', { extractable: true })
  const staff = await tokens.mint({ sub: 'staff-bench', role: 'institution_staff', institution })
  const registered = await app.inject({
    method: 'POST',
    url: '/v1/devices',
    headers: { authorization: `Bearer ${staff}` },
    payload: { device, class: classId, publicKey: await exportJWK(publicKey) },
  })
  if (registered.statusCode !== 201) throw new Error(`device registration failed: ${registered.body}`)

  const url = await app.listen({ host: '127.0.0.1', port: 0 })
  const info: ServerInfo = {
    url,
    token: await tokens.mint({ sub: device, role: 'device', device, class: classId }, 3600),
    deviceJwk: await exportJWK(privateKey),
    device,
    class: classId,
    roster,
    sessionStart,
    ...(kind === 'postgres'
      ? { database: { url: databaseUrl(), applicationName: applicationName(schema) } }
      : {}),
  }
  process.stdout.write(`${JSON.stringify(info)}\n`)

  process.once('SIGTERM', async () => {
    await app.close()
    await store.close()
    await idempotencyDb.close()
    if (kind === 'postgres') {
      const admin = new pg.Client({ connectionString: databaseUrl() })
      await admin.connect()
      await admin.query(`drop schema if exists "${schema}" cascade`)
      await admin.end()
    }
    process.exit(0)
  })
}
