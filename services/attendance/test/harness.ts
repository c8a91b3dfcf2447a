import type { EventStore } from '@trec/eventstore'
import { openPGliteEventStore, PGlite, pgliteExecutor } from '@trec/eventstore/pglite'
import type { Platform } from '@trec/fastify-kit'
import { type TestTokens, testPlatform } from '@trec/fastify-kit/testing'
import { type AttendanceOptions, attendanceService } from '../src/index.ts'

// The service on the real platform (signed tokens, problem+json, idempotency) over an embedded
// PostgreSQL, one database for the events and the idempotency records. The clock stands still
// on the evening after the fixture class's first day, later than every fixture instant.

export const now = new Date('2024-04-11T08:00:00+08:00')

export interface Harness {
  app: Platform
  tokens: TestTokens
  store: EventStore
  close(): Promise<void>
}

export async function harness(options: Partial<AttendanceOptions> = {}): Promise<Harness> {
  const db = new PGlite()
  const store = await openPGliteEventStore({ db })
  const { app, tokens } = await testPlatform(pgliteExecutor(db))
  await app.register(attendanceService, { store, clock: () => now, ...options })
  await app.ready()
  return {
    app,
    tokens,
    store,
    async close() {
      await app.close()
      await store.close()
    },
  }
}

/** POSTs JSON with a bearer token (none when `token` is empty) and optional headers. */
export async function post(
  app: Platform,
  url: string,
  token: string,
  payload: unknown,
  headers: Record<string, string> = {},
) {
  return app.inject({
    method: 'POST',
    url,
    headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...headers },
    payload: payload as object,
  })
}
