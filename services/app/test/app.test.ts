import { randomBytes } from 'node:crypto'
import { cryptoProfile } from '@trec/core'
import { openPGliteEventStore, PGlite, pgliteExecutor } from '@trec/eventstore/pglite'
import { testTokens } from '@trec/fastify-kit/testing'
import { describe, expect, it, vi } from 'vitest'
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
      audit: {
        signing: {
          origin: 'trec.test/audit-log',
          keys: [
            { privateKey: cryptoProfile().signature.generateKeyPair().privateKey, notBefore: new Date(0) },
          ],
        },
        checkpointEvery: { leaves: 1, seconds: 1 },
      },
    })
    const ready = await app.inject({ method: 'GET', url: '/health/ready' })
    expect(ready.statusCode, ready.body).toBe(200)
    const doc = (await app.inject({ method: 'GET', url: '/docs/json' })).json()
    for (const path of ['/v1/classes', '/v1/face-check-batches', '/v1/completions', '/v1/claims'])
      expect(Object.keys(doc.paths)).toContain(path)
    const untagged = Object.entries(doc.paths as Record<string, Record<string, { tags?: string[] }>>)
      .flatMap(([path, ops]) =>
        Object.entries(ops).map(([method, op]) => ({ name: `${method} ${path}`, tags: op.tags })),
      )
      .filter(({ tags }) => !tags?.length)
      .map(({ name }) => name)
    expect(untagged, 'every operation is grouped under a tag in the API docs').toEqual([])
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
    // The notary runs in the same process: the event is logged and a signed checkpoint covers it.
    const auditor = await tokens.mint({ sub: 'auditor-1', role: 'auditor' })
    const checkpoint = await vi.waitFor(
      async () => {
        const res = await app.inject({
          method: 'GET',
          url: '/v1/audit/checkpoints/latest',
          headers: { authorization: `Bearer ${auditor}` },
        })
        expect(res.statusCode, res.body).toBe(200)
        return res
      },
      { timeout: 10_000, interval: 50 },
    )
    expect(checkpoint.json().size).toBeGreaterThanOrEqual(1)
    expect(checkpoint.json().note).toContain('trec.test/audit-log')
    await app.close()
  })
})
