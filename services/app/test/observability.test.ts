import type { EventStore } from '@trec/eventstore'
import { pgliteExecutor } from '@trec/eventstore/pglite'
import { feedLane, type Projection, ProjectionRunner } from '@trec/projections'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Metrics, trackMerkleTreeSize } from '../src/metrics.ts'
import {
  followerCheck,
  maxBehindMs,
  Readiness,
  staysReadyBehindMs,
  trackProjectionLag,
} from '../src/readiness.ts'
import { type AppHarness, appHarness, designation, people } from './harness.ts'

/** The value of one sample of the exposition text, or undefined when there is none. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue
    if (Object.entries(labels).every(([k, v]) => line.includes(`${k}="${v}"`)))
      return Number(line.split(' ').at(-1))
  }
  return undefined
}

const counting: Projection = {
  name: 'event_counts',
  version: 1,
  tables: { counts: 'type text primary key, n int not null' },
  async apply(events, ctx) {
    for (const e of events)
      await ctx.query(
        `insert into ${ctx.table('counts')} (type, n) values ($1, 1) on conflict (type) do update set n = excluded.n + 1`,
        [e.type],
      )
  },
}

describe('metrics', () => {
  let h: AppHarness
  const scrape = async () => (await h.get('/metrics')).body
  beforeAll(async () => {
    h = await appHarness({ logLevel: 'silent' })
  })
  afterAll(() => h.close())

  it('counts requests by route template and status, never by the URL sent', async () => {
    expect((await h.post('/v1/institutions', people.admin, designation)).statusCode).toBe(201)
    expect((await h.get('/v1/institutions/inst-1', people.staff)).statusCode).toBe(200)
    expect((await h.get('/v1/institutions/inst-1', people.staff)).statusCode).toBe(200)
    expect((await h.get('/v1/institutions/inst-1')).statusCode).toBe(401)
    expect((await h.get('/no/such/route')).statusCode).toBe(404)
    const text = await scrape()
    const byRoute = (route: string, method: string, status: string) =>
      sample(text, 'trec_http_request_duration_seconds_count', { route, method, status })
    expect(byRoute('/v1/institutions', 'POST', '201')).toBe(1)
    expect(byRoute('/v1/institutions/:institution', 'GET', '200')).toBe(2)
    expect(byRoute('/v1/institutions/:institution', 'GET', '401')).toBe(1)
    expect(byRoute('unmatched', 'GET', '404')).toBe(1)
    expect(text).not.toContain('inst-1')
    expect(text).not.toContain('/no/such/route')
    expect(sample(text, 'trec_http_request_duration_seconds_bucket', { le: '+Inf', status: '201' })).toBe(1)
  })

  it('times and counts the store’s appends, with the outcome of each', async () => {
    const before = sample(await scrape(), 'trec_store_appended_events_total', { operation: 'append' }) ?? 0
    // Designating inst-1 again is refused by a rule and appends nothing; inst-2 appends one event.
    expect((await h.post('/v1/institutions', people.admin, designation)).statusCode).toBe(422)
    expect(
      (await h.post('/v1/institutions', people.admin, { ...designation, institution: 'inst-2' })).statusCode,
    ).toBe(201)
    const text = await scrape()
    expect(sample(text, 'trec_store_appended_events_total', { operation: 'append' })).toBe(before + 1)
    expect(
      sample(text, 'trec_store_append_duration_seconds_count', { operation: 'append', outcome: 'ok' }),
    ).toBe(2)
    expect(sample(text, 'trec_store_head_position')).toBe(Number(await h.store.headPosition()))
  })

  it('labels a failed append with its error code', async () => {
    const metrics = new Metrics({ processMetrics: false })
    const { instrumentStore } = await import('../src/instrumented-store.ts')
    const store = instrumentStore(h.store, metrics)
    await store.append('thing-1', [{ id: crypto.randomUUID(), type: 'ThingHappened', data: {} }])
    await expect(
      store.append('thing-1', [{ id: crypto.randomUUID(), type: 'ThingHappened', data: {} }], {
        expectedRevision: 'no_stream',
      }),
    ).rejects.toThrow()
    const text = (await metrics.exposition()).body
    expect(sample(text, 'trec_store_append_duration_seconds_count', { outcome: 'ok' })).toBe(1)
    expect(sample(text, 'trec_store_append_duration_seconds_count', { outcome: 'stream_conflict' })).toBe(1)
    expect(sample(text, 'trec_store_appended_events_total')).toBe(1)
  })

  it('takes gauges from other components: the notary’s tree size', async () => {
    let size = 41
    trackMerkleTreeSize(h.metrics, () => size)
    expect(sample(await scrape(), 'trec_merkle_tree_size')).toBe(41)
    size = 42n as unknown as number
    expect(sample(await scrape(), 'trec_merkle_tree_size')).toBe(42)
  })

  it('reads NaN from a gauge whose source fails, counts the failure, and still answers', async () => {
    h.metrics.readGauge('trec_test_broken', 'A source that throws.').track({}, () => {
      throw new Error('down')
    })
    const res = await h.get('/metrics')
    expect(res.statusCode).toBe(200)
    expect(sample(res.body, 'trec_test_broken')).toBeNaN()
    // Metrics are collected side by side, so the count shows from the next scrape on.
    const next = (await h.get('/metrics')).body
    expect(
      sample(next, 'trec_metric_source_failures_total', { gauge: 'trec_test_broken' }),
    ).toBeGreaterThanOrEqual(1)
    expect(res.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/)
  })
})

describe('GET /metrics with a scrape token', () => {
  let h: AppHarness
  beforeAll(async () => {
    h = await appHarness({ logLevel: 'silent', metricsToken: 'scrape-token-0123456789' })
  })
  afterAll(() => h.close())

  it('answers 401 problem+json without the token or with another, and the metrics with it', async () => {
    const none = await h.app.inject({ method: 'GET', url: '/metrics' })
    expect(none.statusCode).toBe(401)
    expect(none.headers['content-type']).toMatch(/^application\/problem\+json/)
    expect(none.headers['www-authenticate']).toBe('Bearer realm="metrics"')
    const wrong = await h.app.inject({
      method: 'GET',
      url: '/metrics',
      headers: { authorization: 'Bearer scrape-token-0123456780' },
    })
    expect(wrong.statusCode).toBe(401)
    // A user's access token is not a scrape token.
    const user = await h.get('/metrics', people.admin)
    expect(user.statusCode).toBe(401)
    const ok = await h.app.inject({
      method: 'GET',
      url: '/metrics',
      headers: { authorization: 'Bearer scrape-token-0123456789' },
    })
    expect(ok.statusCode).toBe(200)
    expect(ok.body).toContain('trec_http_request_duration_seconds')
  })
})

describe('readiness', () => {
  let h: AppHarness
  beforeAll(async () => {
    h = await appHarness({ logLevel: 'silent' })
  })
  afterAll(() => h.close())

  it('reports the store: its kind, head position and latency', async () => {
    const res = await h.get('/health/ready')
    expect(res.statusCode).toBe(200)
    expect(res.json()).toMatchObject({
      status: 'ready',
      checks: { store: { ready: true, kind: 'pglite', headPosition: '0', latencyMs: expect.any(Number) } },
    })
    expect((await h.get('/health/live')).json()).toEqual({ status: 'live' })
  })

  it('reports a projection’s lag, as a check and as a gauge, and is unready past its limit', async () => {
    const runner = new ProjectionRunner(pgliteExecutor(h.db), counting)
    await runner.setup()
    const untrack = trackProjectionLag({ name: 'event_counts', lag: () => runner.lag(h.store) }, h, 1)
    await h.post('/v1/institutions', people.admin, designation)
    await h.post('/v1/institutions', people.admin, { ...designation, institution: 'inst-3' })
    const behind = await h.get('/health/ready')
    expect(behind.statusCode).toBe(503)
    expect(behind.json()).toMatchObject({
      status: 'unavailable',
      checks: { store: { ready: true }, 'projection:event_counts': { ready: false, lag: 2, maxLag: 1 } },
    })
    expect(
      sample((await h.get('/metrics')).body, 'trec_projection_lag_events', { projection: 'event_counts' }),
    ).toBe(2)
    await runner.applyBatch(feedLane, await h.store.readAll())
    const caughtUp = await h.get('/health/ready')
    expect(caughtUp.statusCode).toBe(200)
    expect(caughtUp.json().checks['projection:event_counts']).toEqual({ ready: true, lag: 0, maxLag: 1 })
    untrack()
    expect(Object.keys((await h.get('/health/ready')).json().checks)).toEqual(['store'])
  })

  it('is unavailable until a follower (a read model, the detectors, the notary) is within a second of the head, then while it is over 30 s behind', async () => {
    // The feed as a follower at position 0 sees it: the first event after it was recorded `ago` ms back.
    let ago: number | undefined
    const store = {
      readAll: async () =>
        ago === undefined ? [] : [{ recordedAt: new Date(Date.now() - ago).toISOString() }],
    } as unknown as EventStore
    const readiness = new Readiness()
    readiness.add(followerCheck('notary', store, async () => 0n))
    ago = 5000
    expect(await readiness.report()).toMatchObject({
      status: 'unavailable',
      checks: { notary: { ready: false, position: '0' } },
    })
    expect((await readiness.report()).checks.notary!.behindMs).toBeGreaterThan(maxBehindMs)
    ago = 200
    expect((await readiness.report()).status).toBe('ready')
    // Caught up once, it stays ready through a peak's lag, and not past staysReadyBehindMs.
    ago = 5000
    expect((await readiness.report()).status).toBe('ready')
    ago = staysReadyBehindMs + 5000
    expect((await readiness.report()).status).toBe('unavailable')
    ago = 5000
    expect((await readiness.report()).status).toBe('unavailable')
    ago = 200
    expect((await readiness.report()).status).toBe('ready')
    ago = undefined
    expect(await readiness.report()).toEqual({
      status: 'ready',
      checks: { notary: { ready: true, position: '0', behindMs: 0 } },
    })
  })

  it('is unavailable, with the reason, when a check fails or hangs', async () => {
    const readiness = new Readiness()
    readiness.add({ name: 'ok', check: async () => ({ ready: true }) })
    readiness.add({
      name: 'broken',
      check: async () => {
        throw new Error('connection refused')
      },
    })
    readiness.add({ name: 'hung', check: () => new Promise(() => {}) })
    const report = await readiness.report()
    expect(report).toEqual({
      status: 'unavailable',
      checks: {
        ok: { ready: true },
        broken: { ready: false, reason: 'connection refused' },
        hung: { ready: false, reason: 'no answer within 2000 ms' },
      },
    })
  })

  it('answers 503 once the store is closed', async () => {
    const other = await appHarness({ logLevel: 'silent' })
    await other.store.close()
    const res = await other.get('/health/ready')
    expect(res.statusCode).toBe(503)
    expect(res.json().checks.store.ready).toBe(false)
    await other.app.close().catch(() => undefined)
  })
})
