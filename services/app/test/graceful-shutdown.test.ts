// SIGTERM to a real trec process under load: it stops taking new requests, finishes the ones in
// flight, closes its store and exits 0; every request it acknowledged is in the store afterwards.
import { type ChildProcess, spawn } from 'node:child_process'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { openPGliteEventStore, PGlite } from '@trec/eventstore/pglite'
import { createTokenIssuer } from '@trec/fastify-kit'
import { afterAll, describe, expect, it } from 'vitest'
import { closeWithin } from '../src/shutdown.ts'

const main = join(import.meta.dirname, '../src/main.ts')

interface Outcome {
  id: string
  status?: number
  error?: string
  sentAt: number
  answeredAt: number
}

function waitForAddress(child: ChildProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    let out = ''
    const timer = setTimeout(() => reject(new Error(`no address within 60 s:\n${out}`)), 60_000)
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString()
      const m = /API docs:\s+(http:\/\/[^\s]+)\/docs/.exec(out)
      if (m) {
        clearTimeout(timer)
        resolve(m[1]!)
      }
    })
    child.once('exit', (code) => reject(new Error(`exited ${code} before listening:\n${out}`)))
  })
}

// Served as fastify listens, and behind a front thread that reads the sockets (TREC_FRONT_THREAD).
describe.each(['off', 'on'])('graceful shutdown of a real process (front thread %s)', (front) => {
  let dir = ''
  let child: ChildProcess | undefined
  afterAll(async () => {
    if (child && child.exitCode === null) child.kill('SIGKILL')
    if (dir) await rm(dir, { recursive: true, force: true })
  })

  it('drains the requests in flight on SIGTERM, exits 0, and keeps every acknowledged event', async () => {
    dir = await mkdtemp(join(tmpdir(), 'trec-shutdown-'))
    child = spawn(process.execPath, [main], {
      env: {
        PATH: process.env.PATH,
        TREC_STORE: 'pglite',
        TREC_DATA_DIR: dir,
        TREC_PORT: '0',
        TREC_SERVICES: 'training',
        TREC_LOG_LEVEL: 'warn',
        TREC_RATE_LIMIT_MAX: '0',
        TREC_SHUTDOWN_TIMEOUT_MS: '15000',
        TREC_FRONT_THREAD: front,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let stderr = ''
    child.stderr!.on('data', (c: Buffer) => {
      stderr += c.toString()
    })
    const exited = new Promise<number | null>((resolve) => child!.once('exit', (code) => resolve(code)))
    const base = await waitForAddress(child)
    const secrets = JSON.parse(await readFile(join(dir, 'dev-secrets.json'), 'utf8'))
    const issuer = await createTokenIssuer('trec-dev', 'trec-api', secrets.issuerJwk)
    const token = await issuer.mint({ sub: 'admin-1', role: 'admin' }, 600)

    const outcomes: Outcome[] = []
    let signalledAt = Number.POSITIVE_INFINITY
    let n = 0
    // Sixteen clients, each sending designations one after another until the server is gone.
    const client = async (c: number) => {
      for (let failures = 0; failures < 3; ) {
        const id = `inst-${c}-${n++}`
        const sentAt = performance.now()
        try {
          const res = await fetch(`${base}/v1/institutions`, {
            method: 'POST',
            headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
            body: JSON.stringify({
              institution: id,
              legalName: '石家庄市长安区新航职业培训学校',
              uscc: '52130100MJ0123456N',
              region: '130102',
              kinds: ['private_provider'],
              effectiveFrom: '2024-03-01',
            }),
            signal: AbortSignal.timeout(20_000),
          })
          await res.arrayBuffer()
          outcomes.push({ id, status: res.status, sentAt, answeredAt: performance.now() })
          if (res.status !== 201) failures++
        } catch (error) {
          outcomes.push({ id, error: (error as Error).message, sentAt, answeredAt: performance.now() })
          failures++
        }
      }
    }
    const load = Promise.all(Array.from({ length: 16 }, (_, c) => client(c)))
    while (outcomes.filter((o) => o.status === 201).length < 40) await new Promise((r) => setTimeout(r, 20))
    signalledAt = performance.now()
    child.kill('SIGTERM')
    await load
    const code = await exited
    expect(code, stderr).toBe(0)

    const acknowledged = outcomes.filter((o) => o.status === 201)
    const afterSignal = outcomes.filter((o) => o.sentAt > signalledAt)
    // Requests kept coming after the signal and were turned away (503 or a closed connection),
    // never failed half-way with a 5xx of another kind.
    expect(afterSignal.length).toBeGreaterThan(0)
    for (const o of outcomes) if (o.status !== undefined) expect([201, 503]).toContain(o.status)
    // Requests in flight when the signal came were answered, not dropped: every request sent
    // before it got an answer (201, or 503 if it was read only once closing had begun), never a
    // closed connection. (20 ms of margin: a request sent at the very moment of the signal can
    // meet a keep-alive connection the server is closing as idle.) A process that exits at
    // once on SIGTERM drops them: this is what fails then.
    const beforeSignal = outcomes.filter((o) => o.sentAt < signalledAt - 20)
    expect(beforeSignal.filter((o) => o.status === undefined)).toEqual([])
    const drained = acknowledged.filter((o) => o.sentAt < signalledAt && o.answeredAt > signalledAt)
    expect(drained.length).toBeGreaterThan(0)

    const db = new PGlite(join(dir, 'pglite'))
    const store = await openPGliteEventStore({ db })
    try {
      for (const o of acknowledged) {
        const events = await store.readStream(`institution-${o.id}`)
        expect(
          events.map((e) => e.type),
          o.id,
        ).toEqual(['InstitutionDesignated'])
      }
      // And nothing the process refused was written.
      const written = new Set((await store.readAll()).map((e) => e.stream))
      expect(written.size).toBe(acknowledged.length)
    } finally {
      await store.close()
    }
  }, 120_000)
})

describe('closing within a deadline', () => {
  it('answers 0 when closing finishes in time, 1 when it fails or runs out of time', async () => {
    const logged: string[] = []
    const log = (m: string) => logged.push(m)
    expect(await closeWithin({ close: async () => undefined }, 1000, log)).toBe(0)
    expect(await closeWithin({ close: () => Promise.reject(new Error('store gone')) }, 1000, log)).toBe(1)
    const started = performance.now()
    expect(await closeWithin({ close: () => new Promise(() => {}) }, 200, log)).toBe(1)
    expect(performance.now() - started).toBeLessThan(1000)
    expect(logged).toEqual([
      'shutdown: closing failed: store gone',
      'shutdown: still closing after 200 ms, exiting anyway',
    ])
  })
})
