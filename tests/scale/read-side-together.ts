import { readdirSync, readFileSync } from 'node:fs'
import { Metrics, Readiness, type ServiceName, startReadSideThreads } from '@trec/app'
import type pg from 'pg'
import { processCpu, threadCpu } from '../bench/mixed-traffic-cpu.ts'
import { dropSchemas, storedEvents } from './disk.ts'
import { loadAverage } from './machine.ts'

// The whole read side caught up from zero as the app runs it (read-side.ts --together): the app's
// own read-side threads (startReadSideThreads, grouped as TREC_READ_SIDE_THREADS groups them),
// each with its own pool, the read models in a schema of this run's; done when every checkpoint of
// that schema is at the store's head. (Not by asking the threads' readiness checks: their lag counts
// up to 100,000 events a projection at each ask, PostgreSQL work of the threads' own connections
// that would be counted as the read side's, and it delays the thread that answers.) Its wall time gives events/s of
// the whole read side; CPU is this process's (every thread) and its threads' PostgreSQL backends'.

/** CPU seconds so far of each server backend whose application_name is `app`, by pid. */
async function sampleBackends(pool: pg.Pool, app: string, into: Map<number, number>): Promise<void> {
  const { rows } = await pool.query<{ pid: number }>(
    'select pid from pg_stat_activity where application_name = $1',
    [app],
  )
  for (const { pid } of rows) {
    const seconds = processCpu(pid)
    if (seconds > 0) into.set(pid, seconds) // else gone since: its last sample stands
  }
}

/** CPU seconds of each of this process's worker threads so far, by thread id (Linux: /proc). */
function workerThreadsCpu(): Map<string, number> {
  const cpu = new Map<string, number>()
  for (const tid of readdirSync('/proc/self/task')) {
    try {
      if (readFileSync(`/proc/self/task/${tid}/comm`, 'utf8').trim() !== 'WorkerThread') continue
    } catch {
      continue // ended since
    }
    cpu.set(tid, threadCpu(process.pid, tid))
  }
  return cpu
}

/** Every checkpoint of `readSchema` (its lane of the store's feed) is at the head of the store's feed. */
async function caughtUp(pool: pg.Pool, storeSchema: string, readSchema: string): Promise<boolean> {
  const { rows } = await pool.query<{ behind: boolean | null }>(
    `select bool_or(coalesce((lanes->>'feed')::bigint, 0) < (select max(position) from "${storeSchema}".events))
       as behind from "${readSchema}".checkpoints`,
  )
  return rows[0]?.behind === false
}

export interface TogetherFigures {
  threads: 1 | 2
  events: number
  ms: number
  nodeUs: number
  pgUs: number
  /** Node CPU µs/event of each read-side thread (most first): how the split shares it out. */
  threadUs: number[]
  load: string
}

/** One catch-up of the whole read side on `threads` threads; its read models dropped after. */
export async function readSideTogether(input: {
  url: string
  pool: pg.Pool
  storeSchema: string
  services: ServiceName[]
  threads: 1 | 2
  tag: string
}): Promise<TogetherFigures> {
  const { pool, threads } = input
  const readSchema = `scale_together_${input.tag}`
  const app = `trec-readside-${input.tag}`
  const readiness = new Readiness()
  const backends = new Map<number, number>()
  const load = loadAverage()
  const before = workerThreadsCpu()
  const node0 = processCpu(process.pid)
  const started = performance.now()
  const running = await startReadSideThreads(
    {
      connectionString: input.url,
      storeSchema: input.storeSchema,
      services: input.services,
      readModels: 'feed',
      readSchema,
      applicationName: app,
      threads,
    },
    { metrics: new Metrics({ processMetrics: false }), readiness },
    { error: (obj, msg) => console.error(msg, obj), info: () => undefined },
  )
  try {
    for (;;) {
      await new Promise((r) => setTimeout(r, 1000))
      await sampleBackends(pool, app, backends)
      if (await caughtUp(pool, input.storeSchema, readSchema)) break
    }
    const ms = performance.now() - started
    const nodeS = processCpu(process.pid) - node0
    const pgS = [...backends.values()].reduce((a, b) => a + b, 0)
    const threadS = [...workerThreadsCpu()]
      .filter(([tid]) => !before.has(tid))
      .map(([, s]) => s)
      .sort((a, b) => b - a)
    const events = await storedEvents(pool, input.storeSchema)
    const perEvent = (s: number) => (s * 1e6) / events
    return {
      threads,
      events,
      ms,
      nodeUs: perEvent(nodeS),
      pgUs: perEvent(pgS),
      threadUs: threadS.map(perEvent),
      load,
    }
  } finally {
    await running.stop()
    await dropSchemas(pool, [readSchema])
  }
}

export const togetherRow = (f: TogetherFigures) =>
  `| ${f.threads} | ${f.events} | ${(f.ms / 1000).toFixed(1)} s | ${Math.round(f.events / (f.ms / 1000))} | ${f.nodeUs.toFixed(0)} (${f.threadUs.map((u) => u.toFixed(0)).join(' + ')}) | ${f.pgUs.toFixed(0)} | ${f.load} |`

export const togetherHeader =
  '| threads | events | time | events/s | node CPU µs/event (its read-side threads) | PostgreSQL CPU µs/event | load before |\n| ---: | ---: | ---: | ---: | ---: | ---: | --- |'
