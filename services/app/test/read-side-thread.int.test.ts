// The read side on threads of its own (src/read-side-thread.ts, src/read-side-threads.ts) on a
// real PostgreSQL: two threads keep the read models with the notary, and the oversight
// projections, from connections of their own while the request thread's readiness and metrics
// report them; when a thread dies it is logged and a new one resumes from the checkpoints;
// stopping them closes their connections.
import { spawn } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Worker } from 'node:worker_threads'
import { cryptoProfile } from '@trec/core'
import { postgresForTests } from '@trec/eventstore/testing'
import { buildProvince, writeEvents } from '@trec/generator'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { loadConfig } from '../src/config.ts'
import { Metrics } from '../src/metrics.ts'
import { openRuntime, type Runtime } from '../src/open-store.ts'
import { startReadSideThreads } from '../src/read-side-threads.ts'
import { Readiness } from '../src/readiness.ts'
import { ownDatabase } from './own-database.ts'

const server = await postgresForTests()
const suite = 'skip' in server ? describe.skip : describe

async function until(what: string, check: () => Promise<boolean> | boolean, ms = 90_000) {
  const deadline = Date.now() + ms
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 200))
  }
}

suite('the read side on its own thread', () => {
  let database: Awaited<ReturnType<typeof ownDatabase>> | undefined
  let runtime: Runtime | undefined

  beforeAll(async () => {
    if ('skip' in server) return
    database = await ownDatabase(server.url, 'read_side_thread')
    runtime = await openRuntime(loadConfig({ TREC_STORE: 'postgres', DATABASE_URL: database.url }))
  })
  afterAll(async () => {
    await runtime?.close()
    await database?.drop()
  })

  it('follows the feed, reports through the request thread, restarts after a crash, and stops cleanly', async () => {
    const { store, sql } = runtime!
    const { events } = buildProvince({
      seed: 'read-side-thread',
      institutions: 2,
      classesPerInstitution: [1, 2],
      classSize: [8, 12],
      sessionsPerClass: [4, 6],
    })
    const half = Math.floor(events.length / 2)
    await writeEvents(store, events.slice(0, half))

    const metrics = new Metrics({ processMetrics: false })
    const readiness = new Readiness()
    const errors: string[] = []
    const log = { error: (_: unknown, msg: string) => errors.push(msg), info: () => undefined }
    const running = await startReadSideThreads(
      {
        connectionString: database!.url,
        threads: 2,
        services: ['archive', 'compliance', 'oversight', 'audit'],
        readModels: 'feed',
        audit: {
          signing: {
            origin: 'read-side-thread.test/audit-log',
            keys: [
              { privateKey: cryptoProfile().signature.generateKeyPair().privateKey, notBefore: new Date(0) },
            ],
          },
        },
      },
      { metrics, readiness },
      log,
      200,
    )
    const caughtUp = async () => {
      const report = await readiness.report()
      const head = (await store.headPosition()).toString()
      return (
        report.status === 'ready' &&
        report.checks['projection:archive']?.lag === 0 &&
        report.checks.oversight?.position === head &&
        report.checks['audit-notary'] !== undefined
      )
    }
    try {
      // Every check and gauge the thread registered answers on this side.
      await until('the thread to catch up with the first half', caughtUp)
      const checks = Object.keys((await readiness.report()).checks)
      expect(checks).toEqual(
        expect.arrayContaining([
          'projection:archive',
          'projection:objections',
          'projection:compliance',
          'oversight',
          'audit-notary',
        ]),
      )
      const exposition = (await metrics.exposition()).body
      expect(exposition).toContain('trec_projection_lag_events{projection="archive"} 0')
      expect(exposition).toMatch(/^trec_merkle_tree_size \d+$/m)

      // The read models' and notary's thread dies (as on an uncaught error); a new one resumes from the checkpoints.
      expect(running.threads()).toHaveLength(2)
      const [first, other] = running.threads() as [Worker, Worker]
      await first.terminate()
      await until('the crash to be logged', () => errors.some((m) => m.includes('restarting')))
      await writeEvents(store, events.slice(half))
      await until('a new thread to catch up with the rest', async () => {
        const now = running.threads()[0]
        return now !== undefined && now !== first && (await caughtUp())
      })
      // Every event once in the audit tree: none lost to the crash, none appended twice.
      const rows = await sql.query<{ leaves: string; events: string }>(
        'select (select max(size) from trec_audit.state)::text as leaves, (select count(*) from trec.events)::text as events',
      )
      expect(rows[0]!.leaves).toBe(rows[0]!.events)
      // The other thread ran on untouched.
      expect(running.threads()[1]).toBe(other)
      expect(Number(rows[0]!.events)).toBeGreaterThanOrEqual(events.length)
    } finally {
      await running.stop()
    }
    expect(running.threads()).toEqual([undefined, undefined])
    await until('the thread’s connections to close', async () => {
      const rows = await sql.query<{ n: string }>(
        `select count(*)::text as n from pg_stat_activity where application_name = 'trec-read-side'
         and datname = current_database()`,
      )
      return rows[0]!.n === '0'
    })
    // Unready once it is gone, rather than passing for caught up.
    expect((await readiness.report()).status).toBe('unavailable')
  }, 180_000)

  it('runs in `pnpm serve` on PostgreSQL by default, and SIGTERM stops all three threads with exit 0', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'trec-read-side-thread-'))
    const child = spawn(process.execPath, [join(import.meta.dirname, '../src/main.ts')], {
      env: {
        PATH: process.env.PATH,
        TREC_STORE: 'postgres',
        DATABASE_URL: database!.url,
        TREC_DATA_DIR: dir,
        TREC_PORT: '0',
        TREC_LOG_LEVEL: 'warn',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let out = ''
    child.stdout.on('data', (c: Buffer) => {
      out += c.toString()
    })
    child.stderr.on('data', (c: Buffer) => {
      out += c.toString()
    })
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve))
    const connections = async () => {
      const rows = await runtime!.sql.query<{ n: string }>(
        `select count(*)::text as n from pg_stat_activity where application_name = 'trec-read-side'
         and datname = current_database()`,
      )
      return Number(rows[0]!.n)
    }
    try {
      let base = ''
      await until('the process to listen', () => {
        base = /API docs:\s+(http:\/\/\S+)\/docs/.exec(out)?.[1] ?? ''
        if (child.exitCode !== null) throw new Error(`exited ${child.exitCode}:\n${out}`)
        return base !== ''
      })
      await until('the read side to be ready through the request thread', async () => {
        const res = await fetch(`${base}/health/ready`)
        const body = (await res.json()) as { checks: Record<string, unknown> }
        return res.status === 200 && 'audit-notary' in body.checks && 'oversight' in body.checks
      })
      expect(await connections()).toBeGreaterThan(0)
      child.kill('SIGTERM')
      expect(await exited, out).toBe(0)
      await until('the thread’s connections to close', async () => (await connections()) === 0, 10_000)
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL')
      await rm(dir, { recursive: true, force: true })
    }
  }, 180_000)
})
