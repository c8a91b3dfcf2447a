import { randomBytes } from 'node:crypto'
import { cryptoProfile } from '@trec/core'
import { openPGliteEventStore, PGlite, pgliteExecutor } from '@trec/eventstore/pglite'
import { buildApp } from './app.ts'
import { serviceNames } from './config.ts'
import type { Runtime } from './open-store.ts'

/**
 * The OpenAPI document of the composed app (every service), as `GET /docs/json` serves it: built
 * on a throwaway in-memory store with throwaway secrets, nothing listening, nothing running in
 * the background. `pnpm openapi:write` writes it to docs/openapi.json.
 */
export async function openapiDocument(): Promise<Record<string, unknown>> {
  const db = new PGlite()
  const store = await openPGliteEventStore({ db })
  const runtime: Runtime = { store, sql: pgliteExecutor(db), client: db, close: () => store.close() }
  const app = await buildApp({
    runtime,
    auth: { issuer: 'https://issuer.invalid', audience: 'trec', keys: { jwks: { keys: [] } } },
    services: serviceNames,
    pseudonymSecret: randomBytes(32).toString('hex'),
    masterKey: { kid: 'openapi', key: randomBytes(32) },
    logLevel: 'silent',
    runProjections: false,
    audit: {
      signing: {
        origin: 'trec.openapi/audit-log',
        keys: [
          { privateKey: cryptoProfile().signature.generateKeyPair().privateKey, notBefore: new Date(0) },
        ],
      },
    },
  })
  try {
    await app.ready()
    const res = await app.inject({ method: 'GET', url: '/docs/json' })
    return res.json()
  } finally {
    await app.close()
  }
}

/** The document as docs/openapi.json holds it: two-space JSON and a final newline. */
export function formatOpenapi(doc: unknown): string {
  return `${JSON.stringify(doc, null, 2)}\n`
}
