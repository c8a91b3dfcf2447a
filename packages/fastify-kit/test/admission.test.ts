import Fastify, { type FastifyInstance } from 'fastify'
import { afterEach, describe, expect, it } from 'vitest'
import { type AdmissionReason, admissionPlugin, problemPlugin } from '../src/index.ts'

// Over real HTTP on loopback: admission counts a write as in hand until its answer is sent.
async function server(maxInFlight: number, maxLatencyMs: number) {
  const refusals: AdmissionReason[] = []
  const gates: (() => void)[] = []
  const app = Fastify()
  await app.register(problemPlugin)
  await app.register(admissionPlugin, { maxInFlight, maxLatencyMs, onRefuse: (r) => refusals.push(r) })
  const held = async () => {
    await new Promise<void>((resolve) => gates.push(resolve))
    return { done: true }
  }
  app.post('/v1/writes', held)
  app.post('/v1/lookups', { config: { admission: false } }, held)
  app.get('/v1/reads', async () => ({ read: true }))
  app.get('/health/ready', async () => ({ status: 'ready' }))
  const url = await app.listen({ host: '127.0.0.1', port: 0 })
  return { app, url, refusals, gates }
}

const post = (url: string, path: string) =>
  fetch(`${url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' })

async function until(check: () => boolean) {
  const deadline = Date.now() + 5000
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not met within 5 s')
    await new Promise((r) => setTimeout(r, 5))
  }
}

describe('admission control', () => {
  let app: FastifyInstance | undefined
  let gates: (() => void)[] = []
  afterEach(async () => {
    // A failed assertion leaves requests held: answer them, or closing waits for them.
    for (const open of gates) open()
    await app?.close()
    app = undefined
  })

  it('refuses a write past the queue depth at once with 503 problem+json and Retry-After, and keeps reads answering', async () => {
    const s = await server(2, 60_000)
    app = s.app
    gates = s.gates
    const first = [post(s.url, '/v1/writes'), post(s.url, '/v1/writes')]
    await until(() => s.gates.length === 2)
    expect(s.app.admission.inFlight()).toBe(2)
    const started = performance.now()
    const refused = await post(s.url, '/v1/writes')
    expect(performance.now() - started).toBeLessThan(1000)
    expect(refused.status).toBe(503)
    expect(refused.headers.get('content-type')).toMatch(/^application\/problem\+json/)
    expect(refused.headers.get('retry-after')).toBe('60')
    const body = (await refused.json()) as { detail: string }
    expect(body).toMatchObject({
      status: 503,
      code: 'TREC_OVERLOADED',
      reason: 'queue_depth',
      retryAfterSeconds: 60,
      canRetry: true,
    })
    expect(body.detail).toMatch(/^系统繁忙，请 60 秒后重试/)
    expect(s.refusals).toEqual(['queue_depth'])
    // Reads, probes and routes that opt out still pass.
    expect((await fetch(`${s.url}/v1/reads`)).status).toBe(200)
    expect((await fetch(`${s.url}/health/ready`)).status).toBe(200)
    const optedOut = post(s.url, '/v1/lookups')
    await until(() => s.gates.length === 3)
    // Once the writes in hand are answered, writes are admitted again.
    for (const open of s.gates.splice(0)) open()
    for (const answer of await Promise.all([...first, optedOut])) expect(answer.status).toBe(200)
    await until(() => s.app.admission.inFlight() === 0)
    const again = post(s.url, '/v1/writes')
    await until(() => s.gates.length === 1)
    s.gates[0]!()
    expect((await again).status).toBe(200)
  })

  it('refuses new writes while the oldest in hand is over the latency budget', async () => {
    const s = await server(100, 50)
    app = s.app
    gates = s.gates
    const slow = post(s.url, '/v1/writes')
    await until(() => s.gates.length === 1)
    // Under the budget a second write is still admitted.
    const second = post(s.url, '/v1/writes')
    await until(() => s.gates.length === 2)
    await until(() => s.app.admission.oldestMs() > 60)
    const refused = await post(s.url, '/v1/writes')
    expect(refused.status).toBe(503)
    expect(refused.headers.get('retry-after')).toBe('1')
    expect(await refused.json()).toMatchObject({ code: 'TREC_OVERLOADED', reason: 'latency' })
    for (const open of s.gates.splice(0)) open()
    expect((await slow).status).toBe(200)
    expect((await second).status).toBe(200)
  })

  it('forgets a write whose client hung up', async () => {
    const s = await server(1, 60_000)
    app = s.app
    gates = s.gates
    const controller = new AbortController()
    const gone = fetch(`${s.url}/v1/writes`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
      signal: controller.signal,
    }).catch(() => undefined)
    await until(() => s.gates.length === 1)
    controller.abort()
    await gone
    await until(() => s.app.admission.inFlight() === 0)
    const next = post(s.url, '/v1/writes')
    await until(() => s.gates.length === 2)
    for (const open of s.gates.splice(0)) open()
    expect((await next).status).toBe(200)
  })
})
