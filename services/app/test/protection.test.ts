import { PGlite, pgliteExecutor } from '@trec/eventstore/pglite'
import { buildPlatform } from '@trec/fastify-kit'
import { testTokens } from '@trec/fastify-kit/testing'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type AppHarness, appHarness, designation, people } from './harness.ts'

describe('rate limits per caller', () => {
  let h: AppHarness
  beforeAll(async () => {
    h = await appHarness({ logLevel: 'silent', rateLimit: { max: 3, timeWindowMs: 60_000 } })
    await h.post('/v1/institutions', people.admin, designation)
  })
  afterAll(() => h.close())

  const read = (who?: Parameters<AppHarness['get']>[1]) => h.get('/v1/institutions/inst-1', who)

  it('refuses the call past the budget with 429 problem+json and Retry-After', async () => {
    const staff = { sub: 'staff-1', role: 'institution_staff', institution: 'inst-1' } as const
    for (let i = 0; i < 3; i++) {
      const ok = await read(staff)
      expect(ok.statusCode).toBe(200)
      expect(ok.headers['x-ratelimit-remaining']).toBe(String(2 - i))
    }
    const refused = await read(staff)
    expect(refused.statusCode).toBe(429)
    expect(refused.headers['content-type']).toMatch(/^application\/problem\+json/)
    const retryAfter = Number(refused.headers['retry-after'])
    expect(retryAfter).toBeGreaterThan(0)
    expect(retryAfter).toBeLessThanOrEqual(60)
    expect(refused.json()).toMatchObject({
      status: 429,
      code: 'TREC_RATE_LIMITED',
      type: '/errors#trec_rate_limited',
      limit: 3,
      retryAfterSeconds: retryAfter,
      canRetry: true,
    })
  })

  it('keys the budget on the token’s client and subject, not the address they call from', async () => {
    // Same address (every inject comes from 127.0.0.1), other subjects and another client.
    const colleague = { sub: 'staff-2', role: 'institution_staff', institution: 'inst-1' } as const
    const sameSubOtherClient = { ...colleague, sub: 'staff-1', client_id: 'institution-portal' }
    for (const who of [colleague, sameSubOtherClient]) {
      for (let i = 0; i < 3; i++) expect((await read(who)).statusCode).toBe(200)
      expect((await read(who)).statusCode).toBe(429)
    }
  })

  it('spends no budget on a request refused 401', async () => {
    const bad = (await h.tokens.bad(people.otherStaff))['wrong key']
    for (let i = 0; i < 5; i++) {
      const res = await h.app.inject({
        method: 'GET',
        url: '/v1/institutions/inst-1',
        headers: { authorization: `Bearer ${bad}` },
      })
      expect(res.statusCode).toBe(401)
    }
    expect((await read(people.otherStaff)).statusCode).toBe(200)
  })

  it('counts public routes by address, and never limits probes or scrapes', async () => {
    for (let i = 0; i < 3; i++) expect((await h.get('/docs/json')).statusCode).toBe(200)
    expect((await h.get('/docs/json')).statusCode).toBe(429)
    for (let i = 0; i < 10; i++) {
      expect((await h.get('/health/ready')).statusCode).toBe(200)
      expect((await h.get('/health/live')).statusCode).toBe(200)
      expect((await h.get('/metrics')).statusCode).toBe(200)
    }
  })
})

describe('security headers', () => {
  let h: AppHarness
  beforeAll(async () => {
    h = await appHarness({ logLevel: 'silent' })
  })
  afterAll(() => h.close())

  it('sends a strict policy and no-store on JSON answers, errors included', async () => {
    for (const res of [
      await h.get('/health/ready'),
      await h.get('/v1/institutions/inst-1'),
      await h.get('/nope'),
    ]) {
      expect(res.headers['content-security-policy']).toContain("frame-ancestors 'none'")
      expect(res.headers['content-security-policy']).toContain("script-src 'self'")
      expect(res.headers['content-security-policy']).toContain("object-src 'none'")
      expect(res.headers['x-content-type-options']).toBe('nosniff')
      expect(res.headers['x-frame-options']).toBe('DENY')
      expect(res.headers['referrer-policy']).toBe('no-referrer')
      expect(res.headers['strict-transport-security']).toMatch(/max-age=\d+/)
      expect(res.headers['cache-control']).toBe('no-store')
      expect(res.headers['x-powered-by']).toBeUndefined()
    }
  })

  it('still serves the /docs page, whose scripts all come from its own origin', async () => {
    let res = await h.get('/docs')
    if (res.statusCode === 302) res = await h.get(String(res.headers.location))
    expect(res.statusCode).toBe(200)
    expect(res.headers['content-type']).toMatch(/text\/html/)
    const scripts = [...res.body.matchAll(/<script([^>]*)>/g)].map((m) => m[1]!)
    expect(scripts.length).toBeGreaterThan(0)
    // Every script has a relative src (allowed by script-src 'self'); none is inline.
    for (const attributes of scripts) expect(attributes).toMatch(/src="(\.|\/)[^":]*"/)
    const initializer = await h.get('/docs/static/swagger-initializer.js')
    expect(initializer.statusCode).toBe(200)
  })
})

describe('request bodies', () => {
  it('are refused 413 problem+json past the configured limit', async () => {
    const h = await appHarness({ logLevel: 'silent', bodyLimit: 2048 })
    const big = await h.post('/v1/institutions', people.admin, {
      ...designation,
      legalName: '校'.repeat(1000),
    })
    expect(big.statusCode).toBe(413)
    expect(big.json()).toMatchObject({ code: 'TREC_PAYLOAD_TOO_LARGE' })
    expect((await h.post('/v1/institutions', people.admin, designation)).statusCode).toBe(201)
    await h.close()
  })
})

describe('the platform on its own', () => {
  it('keeps its previous answers by default: no security headers, no rate limit', async () => {
    const tokens = await testTokens()
    const db = new PGlite()
    const app = await buildPlatform({
      auth: { issuer: tokens.issuer, audience: tokens.audience, keys: { jwks: tokens.jwks } },
      db: pgliteExecutor(db),
      logLevel: 'silent',
    })
    app.get('/ping', { config: { auth: { public: true } } }, async () => ({ pong: true }))
    for (let i = 0; i < 5; i++) {
      const res = await app.inject({ method: 'GET', url: '/ping' })
      expect(res.statusCode).toBe(200)
      expect(res.headers['content-security-policy']).toBeUndefined()
      expect(res.headers['x-ratelimit-limit']).toBeUndefined()
    }
    await app.close()
    await db.close()
  })
})
