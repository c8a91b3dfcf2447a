import { PGlite } from '@electric-sql/pglite'
import { TrecError } from '@trec/core'
import { pgliteExecutor } from '@trec/eventstore/pglite'
import Fastify, { type FastifyInstance } from 'fastify'
import type { ZodTypeProvider } from 'fastify-type-provider-zod'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { z } from 'zod'
import {
  authPlugin,
  commandEventIds,
  idempotencyPlugin,
  loggerOptions,
  openapiPlugin,
  principal,
  problemPlugin,
} from '../src/index.ts'
import { type TestTokens, testTokens } from '../test-support/index.ts'

const card = '11010519491231002X' // a valid citizen ID number (GB 11643 example)

describe('fastify kit', () => {
  let app: FastifyInstance
  let tokens: TestTokens
  let db: PGlite
  const lines: string[] = []
  let runs = 0

  beforeAll(async () => {
    tokens = await testTokens()
    db = new PGlite()
    app = Fastify({ logger: loggerOptions('info', { write: (l) => lines.push(l) }), bodyLimit: 64 * 1024 })
    await app.register(problemPlugin)
    await app.register(openapiPlugin, { title: 'test', version: '1' })
    await app.register(authPlugin, {
      issuer: tokens.issuer,
      audience: tokens.audience,
      keys: { jwks: tokens.jwks },
    })
    await app.register(idempotencyPlugin, { db: pgliteExecutor(db) })
    const typed = app.withTypeProvider<ZodTypeProvider>()
    typed.post(
      '/v1/things',
      {
        config: { auth: { roles: ['institution_staff'] } },
        schema: {
          body: z.strictObject({
            name: z.string().min(1),
            count: z.int().min(0),
            tags: z.array(z.string()).max(3),
          }),
        },
      },
      async (request, reply) => {
        runs++
        const ids = commandEventIds(request)
        return reply.code(201).send({ by: principal(request).subject, id: ids(), run: runs })
      },
    )
    // Fails with a 5xx the first time each name is sent, as if after committing its events.
    const failed = new Set<string>()
    typed.post(
      '/v1/flaky',
      {
        config: { auth: { roles: ['institution_staff'] } },
        schema: { body: z.strictObject({ name: z.string() }) },
      },
      async (request, reply) => {
        const ids = commandEventIds(request)
        const id = ids()
        if (!failed.has(request.body.name)) {
          failed.add(request.body.name)
          throw new TrecError('TREC_STORE_UNAVAILABLE', 'the answer was lost', { canRetry: true })
        }
        return reply.code(201).send({ id, resumed: ids.resumed === true })
      },
    )
    typed.get('/v1/public', { config: { auth: { public: true } } }, async () => ({ ok: true }))
    await app.ready()
  })
  afterAll(async () => {
    await app.close()
    await db.close()
  })

  const staff = () => tokens.mint({ sub: 'staff-1', role: 'institution_staff', institution: 'inst-1' })
  const post = async (body: unknown, headers: Record<string, string> = {}) =>
    app.inject({
      method: 'POST',
      url: '/v1/things',
      headers: { authorization: `Bearer ${await staff()}`, ...headers },
      payload: body as object,
    })

  it('lets a valid token with an allowed role through', async () => {
    const res = await post({ name: 'a', count: 1, tags: [] })
    expect(res.statusCode).toBe(201)
    expect(res.json().by).toBe('staff-1')
  })

  it('answers every kind of bad token with 401 problem+json', async () => {
    const bad = await tokens.bad({ sub: 'staff-1', role: 'institution_staff' })
    for (const [why, token] of Object.entries(bad)) {
      const res = await app.inject({
        method: 'POST',
        url: '/v1/things',
        headers: token ? { authorization: token.startsWith('Bearer') ? token : `Bearer ${token}` } : {},
        payload: { name: 'a', count: 1, tags: [] },
      })
      expect(res.statusCode, why).toBe(401)
      expect(res.headers['content-type'], why).toMatch(/^application\/problem\+json/)
      expect(res.json().code, why).toBe('TREC_UNAUTHENTICATED')
    }
  })

  it('answers a valid token with the wrong role with 403', async () => {
    const token = await tokens.mint({ sub: 'dev-1', role: 'device', class: 'c1' })
    const res = await app.inject({
      method: 'POST',
      url: '/v1/things',
      headers: { authorization: `Bearer ${token}` },
      payload: {},
    })
    expect(res.statusCode).toBe(403)
    expect(res.json()).toMatchObject({ code: 'TREC_FORBIDDEN', reason: 'role' })
  })

  it('reports every failing field of an invalid body, never a 5xx', async () => {
    const res = await post({ name: '', count: 'x', extra: 1 })
    expect(res.statusCode).toBe(400)
    const problem = res.json()
    expect(problem).toMatchObject({ code: 'TREC_VALIDATION', status: 400, type: '/errors#trec_validation' })
    const paths = problem.errors.map((e: { path: unknown[] }) => e.path.join('.'))
    expect(paths).toEqual(expect.arrayContaining(['body.name', 'body.count', 'body.tags']))
    expect(problem.errors.some((e: { code: string }) => e.code === 'unrecognized_keys')).toBe(true)
  })

  it('answers malformed JSON 400, an oversized body 413, a wrong media type 415 and an unknown route 404', async () => {
    const auth = { authorization: `Bearer ${await staff()}` }
    const bad = await app.inject({
      method: 'POST',
      url: '/v1/things',
      headers: { ...auth, 'content-type': 'application/json' },
      payload: '{"name":',
    })
    expect([bad.statusCode, bad.json().code]).toEqual([400, 'TREC_VALIDATION'])
    const big = await post({ name: 'x'.repeat(100_000), count: 1, tags: [] })
    expect([big.statusCode, big.json().code]).toEqual([413, 'TREC_PAYLOAD_TOO_LARGE'])
    const text = await app.inject({
      method: 'POST',
      url: '/v1/things',
      headers: { ...auth, 'content-type': 'text/plain' },
      payload: 'hi',
    })
    expect([text.statusCode, text.json().code]).toEqual([415, 'TREC_UNSUPPORTED_MEDIA_TYPE'])
    const none = await app.inject({ method: 'GET', url: '/v1/nothing' })
    expect([none.statusCode, none.json().code]).toEqual([404, 'TREC_NOT_FOUND'])
  })

  it('answers a retried command with the first answer and runs it once', async () => {
    const before = runs
    const body = { name: 'retry', count: 2, tags: ['a'] }
    const first = await post(body, { 'idempotency-key': 'k-123' })
    const second = await post(body, { 'idempotency-key': 'k-123' })
    expect(second.statusCode).toBe(first.statusCode)
    expect(second.json()).toEqual(first.json())
    expect(second.headers['idempotent-replayed']).toBe('true')
    expect(runs).toBe(before + 1)
    const other = await post({ ...body, count: 3 }, { 'idempotency-key': 'k-123' })
    expect([other.statusCode, other.json().code]).toEqual([422, 'TREC_IDEMPOTENCY_KEY_REUSED'])
    // Event ids follow from the key, so even racing copies would append the same events.
    const third = await post(body, { 'idempotency-key': 'k-456' })
    expect(third.json().id).not.toBe(first.json().id)
  })

  it('answers requests whose keys are sent at the same time each with its own outcome', async () => {
    const before = runs
    const body = (n: number) => ({ name: `together-${n}`, count: n, tags: [] })
    // Ten keys at once, one of them sent twice with the same request and once with another.
    const sent = await Promise.all([
      ...Array.from({ length: 10 }, (_, n) => post(body(n), { 'idempotency-key': `k-together-${n}` })),
      post(body(3), { 'idempotency-key': 'k-together-3' }),
      post(body(4), { 'idempotency-key': 'k-together-3' }),
    ])
    const firsts = sent.slice(0, 10)
    expect(firsts.every((r) => r.statusCode === 201)).toBe(true)
    expect(new Set(firsts.map((r) => r.json().id)).size).toBe(10)
    // The second copy of key 3 was still running or already answered; the other request is refused.
    expect([201, 409]).toContain(sent[10]!.statusCode)
    expect([409, 422]).toContain(sent[11]!.statusCode)
    expect(runs).toBe(before + 10)
    const again = await Promise.all(
      Array.from({ length: 10 }, (_, n) => post(body(n), { 'idempotency-key': `k-together-${n}` })),
    )
    expect(again.map((r) => r.headers['idempotent-replayed'])).toEqual(Array(10).fill('true'))
    expect(again.map((r) => r.json())).toEqual(firsts.map((r) => r.json()))
  })

  it('lets the retry of a 5xx take its key over as a resumed attempt, with the same event ids', async () => {
    const flaky = async (body: unknown, key: string) =>
      app.inject({
        method: 'POST',
        url: '/v1/flaky',
        headers: { authorization: `Bearer ${await staff()}`, 'idempotency-key': key },
        payload: body as object,
      })
    const failed = await flaky({ name: 'a' }, 'k-flaky')
    expect(failed.statusCode).toBe(503)
    const other = await flaky({ name: 'b' }, 'k-flaky')
    expect([other.statusCode, other.json().code]).toEqual([422, 'TREC_IDEMPOTENCY_KEY_REUSED'])
    const retry = await flaky({ name: 'a' }, 'k-flaky')
    expect(retry.statusCode).toBe(201)
    expect(retry.json().resumed).toBe(true)
    const fresh = await flaky({ name: 'c' }, 'k-flaky-2')
    const freshRetry = await flaky({ name: 'c' }, 'k-flaky-2')
    expect([fresh.statusCode, freshRetry.statusCode]).toEqual([503, 201])
    expect(freshRetry.json().id).not.toBe(retry.json().id)
    const replayed = await flaky({ name: 'a' }, 'k-flaky')
    expect(replayed.headers['idempotent-replayed']).toBe('true')
    expect(replayed.json()).toEqual(retry.json())
  })

  it('serves the OpenAPI document and the error catalogue', async () => {
    const doc = await app.inject({ method: 'GET', url: '/docs/json' })
    expect(doc.statusCode).toBe(200)
    expect(doc.json().paths['/v1/things'].post.requestBody).toBeDefined()
    const errors = await app.inject({ method: 'GET', url: '/errors' })
    expect(errors.body).toContain('## TREC_VALIDATION')
  })

  it('serves the Swagger UI page, loaded on its first request, and its own 404 past it', async () => {
    const yaml = await app.inject({ method: 'GET', url: '/docs/yaml' })
    expect([yaml.statusCode, yaml.headers['content-type']]).toEqual([200, 'application/x-yaml'])
    expect(yaml.body).toContain('/v1/things:')
    const page = await app.inject({ method: 'GET', url: '/docs' })
    expect(page.statusCode).toBe(200)
    expect(page.headers['content-type']).toMatch(/text\/html/)
    expect(page.body).toContain('swagger-initializer.js')
    const bundle = await app.inject({ method: 'GET', url: '/docs/static/swagger-ui-bundle.js' })
    expect(bundle.statusCode).toBe(200)
    expect(bundle.headers['content-type']).toMatch(/javascript/)
    expect(Number(bundle.headers['content-length'])).toBe(bundle.rawPayload.length)
    const redirect = await app.inject({ method: 'GET', url: '/docs/static/index.html' })
    expect([redirect.statusCode, redirect.headers.location]).toEqual([302, '/docs/'])
    const missing = await app.inject({ method: 'GET', url: '/docs/static/no-such-file.js' })
    expect(missing.statusCode).toBe(404)
    expect(missing.headers['content-type']).toMatch(/problem\+json/)
  })

  it('refuses to register a route that does not say who may call it', async () => {
    const bare = Fastify()
    await bare.register(authPlugin, { issuer: 'i', audience: 'a', keys: { jwks: tokens.jwks } })
    await bare.ready()
    expect(() => bare.get('/open', async () => 'oops')).toThrow(/declares no config.auth/)
  })

  it('never writes a card number or a token into a log line', async () => {
    lines.length = 0
    const token = await staff()
    await app.inject({
      method: 'GET',
      url: `/v1/public?card=${card}`,
      headers: { authorization: `Bearer ${token}` },
    })
    app.log.info({ note: `looked up ${card}` }, `message with ${card} and ${token}`)
    const all = lines.join('')
    expect(lines.length).toBeGreaterThan(0)
    expect(all).not.toContain(card)
    expect(all).not.toContain(token)
    expect(all).toContain('[card]')
  })
})
