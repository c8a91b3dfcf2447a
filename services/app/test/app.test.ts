import { randomBytes } from 'node:crypto'
import { openPGliteEventStore, PGlite, pgliteExecutor } from '@trec/eventstore/pglite'
import { testTokens } from '@trec/fastify-kit/testing'
import { describe, expect, it } from 'vitest'
import { buildApp } from '../src/app.ts'
import { loadConfig, serviceNames } from '../src/config.ts'

describe('configuration', () => {
  it('defaults to the embedded store and every service', () => {
    expect(loadConfig({})).toMatchObject({
      TREC_STORE: 'pglite',
      TREC_PORT: 3000,
      TREC_SERVICES: [...serviceNames],
    })
  })
  it('lists every bad variable at once', () => {
    expect(() => loadConfig({ TREC_STORE: 'mysql', TREC_PORT: 'eighty' })).toThrow(
      /TREC_STORE[\s\S]*TREC_PORT/,
    )
  })
  it('requires the server URL of the chosen store', () => {
    expect(() => loadConfig({ TREC_STORE: 'postgres' })).toThrow(
      /DATABASE_URL: required when TREC_STORE=postgres/,
    )
  })
  it('refuses an unknown service name', () => {
    expect(() => loadConfig({ TREC_SERVICES: 'training,payroll' })).toThrow(/TREC_SERVICES/)
  })
})

describe('the embedded app', () => {
  it('runs every service in one process and answers health, docs and an authenticated call', async () => {
    const db = new PGlite()
    const store = await openPGliteEventStore({ db })
    const tokens = await testTokens()
    const app = await buildApp({
      runtime: { store, sql: pgliteExecutor(db), client: db, close: () => store.close() },
      auth: { issuer: tokens.issuer, audience: tokens.audience, keys: { jwks: tokens.jwks } },
      services: serviceNames,
      pseudonymSecret: randomBytes(32).toString('hex'),
      masterKey: { kid: 'test', key: randomBytes(32) },
      logLevel: 'silent',
    })
    const ready = await app.inject({ method: 'GET', url: '/health/ready' })
    expect(ready.statusCode).toBe(200)
    const doc = (await app.inject({ method: 'GET', url: '/docs/json' })).json()
    for (const path of ['/v1/classes', '/v1/face-check-batches', '/v1/completions', '/v1/claims'])
      expect(Object.keys(doc.paths)).toContain(path)
    const officer = await tokens.mint({ sub: 'officer-1', role: 'subsidy_officer', region: '1301' })
    const res = await app.inject({
      method: 'POST',
      url: '/v1/institutions',
      headers: { authorization: `Bearer ${officer}` },
      payload: {
        institution: 'inst-130100-0042',
        legalName: '石家庄市长安区新航职业培训学校',
        uscc: '52130100MJ0123456N',
        region: '130102',
        kinds: ['private_provider'],
        effectiveFrom: '2024-03-01',
      },
    })
    expect(res.statusCode, res.body).toBe(201)
    expect(await store.headPosition()).toBeGreaterThan(0n)
    await app.close()
  })
})
