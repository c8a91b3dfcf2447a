import { Readable } from 'node:stream'
import { Worker } from 'node:worker_threads'
import Fastify, { type FastifyInstance } from 'fastify'
import { afterEach, describe, expect, it } from 'vitest'
import { type AdmissionReason, type Front, listenBehindFront, problemPlugin } from '../src/index.ts'
import { until } from './until.ts'

// The app behind its front thread, over real HTTP on loopback.
let running: { app: FastifyInstance; front: Front } | undefined
afterEach(async () => {
  await running?.front.close()
  await running?.app.close()
  running = undefined
})

async function serve(maxInFlight = 64, maxLatencyMs = 500) {
  const refusals: AdmissionReason[] = []
  const gates: (() => void)[] = []
  const app = Fastify({ bodyLimit: 1024 * 1024 })
  await app.register(problemPlugin)
  app.post('/v1/echo', async (request, reply) => {
    reply.header('x-seen-by', 'app')
    return { body: request.body, ip: request.ip, id: request.headers['x-trace'] }
  })
  app.post('/v1/held', async () => {
    await new Promise<void>((resolve) => gates.push(resolve))
    return { done: true }
  })
  // Holds the request thread itself: nothing else on it runs until the time is up.
  app.post('/v1/block', async (request) => {
    const end = performance.now() + (request.body as { ms: number }).ms
    while (performance.now() < end);
    return { blocked: true }
  })
  app.get('/v1/lines', async (_request, reply) =>
    reply.type('application/x-ndjson').send(Readable.from(['{"n":1}\n', '{"n":2}\n', '{"n":3}\n'])),
  )
  await app.ready()
  const front = await listenBehindFront(app, {
    host: '127.0.0.1',
    port: 0,
    maxInFlight,
    maxLatencyMs,
    onRefuse: (r) => refusals.push(r),
  })
  running = { app, front }
  return { url: front.address, refusals, gates }
}

const post = (url: string, body: unknown, headers: Record<string, string> = {}) =>
  fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  })

describe('the front thread', () => {
  it('passes requests to the app and its answers back: status, headers, body, client address', async () => {
    const { url } = await serve()
    const res = await post(`${url}/v1/echo`, { a: '甲' }, { 'x-trace': 't-1' })
    expect(res.status).toBe(200)
    expect(res.headers.get('x-seen-by')).toBe('app')
    // Framed by its length, as the app framed it, not in chunks.
    expect(res.headers.get('content-length')).toMatch(/^\d+$/)
    expect(res.headers.get('transfer-encoding')).toBeNull()
    expect(await res.json()).toEqual({ body: { a: '甲' }, ip: '127.0.0.1', id: 't-1' })
    const missing = await fetch(`${url}/v1/nothing`)
    expect(missing.status).toBe(404)
    expect(missing.headers.get('content-type')).toMatch(/^application\/problem\+json/)
    // The front's own figures: its loop's delay and its CPU, then reset.
    const stats = await running!.front.stats(true)
    expect(stats.cpuSeconds).toBeGreaterThan(0)
    expect(stats.loopDelayMs.max).toBeGreaterThanOrEqual(stats.loopDelayMs.p99)
    expect((await running!.front.stats()).cpuSeconds).toBeLessThan(stats.cpuSeconds)
  })

  it('passes a body larger than one message in chunks, and the app still enforces its limit', async () => {
    const { url } = await serve()
    const text = 'x'.repeat(600 * 1024)
    const res = await post(`${url}/v1/echo`, { text })
    expect(res.status).toBe(200)
    expect(((await res.json()) as { body: { text: string } }).body.text.length).toBe(text.length)
    const tooLarge = await post(`${url}/v1/echo`, { text: 'y'.repeat(2 * 1024 * 1024) })
    expect(tooLarge.status).toBe(413)
  })

  it('passes a body the client sent in chunks', async () => {
    const { url } = await serve()
    const body = new ReadableStream({
      start(controller) {
        controller.enqueue(new TextEncoder().encode('{"a":'))
        controller.enqueue(new TextEncoder().encode('"乙"}'))
        controller.close()
      },
    })
    const res = await fetch(`${url}/v1/echo`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body,
      duplex: 'half',
    } as RequestInit)
    expect(res.status).toBe(200)
    expect(((await res.json()) as { body: unknown }).body).toEqual({ a: '乙' })
  })

  it('streams an answer through', async () => {
    const { url } = await serve()
    const res = await fetch(`${url}/v1/lines`)
    expect(res.headers.get('content-type')).toMatch(/^application\/x-ndjson/)
    expect((await res.text()).trim().split('\n')).toEqual(['{"n":1}', '{"n":2}', '{"n":3}'])
  })

  it('refuses a write past the budget with 503, Retry-After and problem+json; reads still pass', async () => {
    const { url, refusals, gates } = await serve(1, 60_000)
    const first = post(`${url}/v1/held`, {})
    await until(() => gates.length === 1)
    const refused = await post(`${url}/v1/echo`, {})
    expect(refused.status).toBe(503)
    expect(refused.headers.get('retry-after')).toBe('60')
    const problem = (await refused.json()) as { code: string; canRetry: boolean; instance: string }
    expect(problem).toMatchObject({ code: 'TREC_OVERLOADED', canRetry: true, instance: '/v1/echo' })
    expect((await fetch(`${url}/v1/lines`)).status).toBe(200)
    await until(() => refusals.length === 1)
    expect(refusals).toEqual(['queue_depth'])
    gates[0]!()
    expect((await first).status).toBe(200)
    expect((await post(`${url}/v1/echo`, {})).status).toBe(200)
  })

  it('answers a refusal while the request thread is held', async () => {
    const { url } = await serve(1, 60_000)
    // The clients run on a thread of their own: this one is about to be held for 1.5 s.
    const client = new Worker(
      `const { parentPort, workerData } = require('node:worker_threads')
       const post = (path, body) => fetch(workerData + path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })
       const t0 = performance.now()
       const blocking = post('/v1/block', { ms: 1500 })
       setTimeout(async () => {
         const sent = performance.now()
         const refused = await post('/v1/echo', {})
         const refusedAfter = performance.now() - sent
         const blocked = await blocking
         parentPort.postMessage({ refused: refused.status, refusedAfter, blocked: blocked.status, blockedAfter: performance.now() - t0 })
       }, 300)`,
      { eval: true, workerData: url },
    )
    const result = await new Promise<{
      refused: number
      refusedAfter: number
      blocked: number
      blockedAfter: number
    }>((resolve) => client.once('message', resolve))
    await client.terminate()
    expect(result.refused).toBe(503)
    expect(result.blocked).toBe(200)
    // Answered while the request thread still had most of its 1.5 s to go.
    expect(result.refusedAfter).toBeLessThan(result.blockedAfter - 300 - 500)
  })

  it('closes after the requests in hand are answered', async () => {
    const { url, gates } = await serve()
    const inHand = post(`${url}/v1/held`, {})
    await until(() => gates.length === 1)
    const closing = running!.front.close()
    gates[0]!()
    expect((await inHand).status).toBe(200)
    await closing
    await expect(fetch(`${url}/v1/lines`)).rejects.toThrow()
    await running!.app.close()
    running = undefined
  })
})
