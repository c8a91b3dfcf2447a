import { Worker } from 'node:worker_threads'
import type { AuditLogOptions } from './audit-log.ts'
import type { ServiceName } from './config.ts'
import type { GaugeRegistry } from './metrics.ts'
import type { ReadSidePart } from './read-side.ts'
import type { CheckResult, Readiness } from './readiness.ts'

// The read side on a thread of its own (node:worker_threads), so that the request thread only
// handles HTTP and commands: a refusal by admission control, or any answer, no longer waits for a
// batch of projection, detector or notary work to finish. The thread opens its own connections to
// PostgreSQL (read-side-thread-main.ts); this side keeps the request thread's view of it: every
// readiness check and gauge the read side registers there is registered here too, and answered by
// asking the thread (one message, shared by the checks and gauges asked at the same time).

/** Where the read side's thread connects, and what it runs. */
export interface ReadSideThreadData {
  /** The PostgreSQL database of the store and the read models. */
  connectionString: string
  /** The store's schema (default `trec`). */
  storeSchema?: string
  /** The thread's niceness (TREC_READ_SIDE_NICE; thread-priority.ts). */
  nice?: number
  services: readonly ServiceName[]
  readModels: 'feed' | 'kafka'
  /** Only these parts of the read side (default: all; read-side-threads.ts spreads them over threads). */
  only?: readonly ReadSidePart[]
  /** Schema of the read models' tables (default `trec_read`; the scale tests' own). */
  readSchema?: string
  /** `application_name` of the thread's connections (default `trec-read-side`). */
  applicationName?: string
  audit?: AuditLogOptions
}

/** What the thread registered: its readiness checks and its gauges' sources. */
export interface ReadSideManifest {
  checks: string[]
  gauges: { name: string; help: string; labelNames: readonly string[]; labels: Record<string, string> }[]
}

/** The thread's answer to `status`: each check's result, each gauge's value (manifest order). */
export interface ReadSideStatus {
  checks: Record<string, CheckResult>
  gauges: number[]
}

export type ToThread = { type: 'status'; id: number } | { type: 'stop' }
export type FromThread =
  | { type: 'started'; manifest: ReadSideManifest }
  | { type: 'status'; id: number; status: ReadSideStatus }
  | { type: 'log'; level: 'error' | 'info'; obj: unknown; msg: string }
  | { type: 'stopped' }

export interface RunningReadSideThread {
  /** Stops the read side: the thread stops after the batches in flight commit (terminated after 10 s). */
  stop(): Promise<void>
  /** The thread running now (none while it restarts, or after `stop`). */
  thread(): Worker | undefined
}

interface Log {
  error(obj: unknown, msg: string): void
  info(obj: unknown, msg: string): void
}

const statusTimeoutMs = 2000
/** Why there is no status: the thread is not running, or it did not answer in time (busy). */
type Silence = string
const notRunning: Silence = 'the read side’s thread is not running'
const stopTimeoutMs = 10_000

/**
 * Starts the read side on its own thread and resolves once it has set up its tables and begun
 * following (so routes never query a table not yet made). If the thread dies (an uncaught error,
 * or it exits), that is logged and a new one starts after `restartMs`: the read side resumes from
 * its checkpoints, which commit with its rows, so nothing is lost or applied twice; meanwhile the
 * process reports unready.
 */
export async function startReadSideThread(
  data: ReadSideThreadData,
  into: { metrics: GaugeRegistry; readiness: Readiness },
  log: Log,
  restartMs = 1000,
): Promise<RunningReadSideThread> {
  let worker: Worker | undefined
  let stopping = false
  let nextId = 0
  let asking: Promise<ReadSideStatus | Silence> | undefined
  const waiting = new Map<number, (status: ReadSideStatus | Silence) => void>()
  let registered = false

  const status = (): Promise<ReadSideStatus | Silence> => {
    asking ??= new Promise<ReadSideStatus | Silence>((resolve) => {
      const current = worker
      if (!current) return resolve(notRunning)
      const id = nextId++
      const timer = setTimeout(
        () => settle(`the read side’s thread did not answer within ${statusTimeoutMs} ms`),
        statusTimeoutMs,
      )
      function settle(s: ReadSideStatus | Silence) {
        clearTimeout(timer)
        waiting.delete(id)
        resolve(s)
      }
      waiting.set(id, settle)
      current.postMessage({ type: 'status', id } satisfies ToThread)
    }).finally(() => {
      asking = undefined
    })
    return asking
  }

  const register = (manifest: ReadSideManifest) => {
    if (registered) return
    registered = true
    for (const name of manifest.checks)
      into.readiness.add({
        name,
        async check() {
          const s = await status()
          if (typeof s === 'string') return { ready: false, reason: s }
          return s.checks[name] ?? { ready: false, reason: `${name} is not on the read side’s thread` }
        },
      })
    manifest.gauges.forEach((g, i) => {
      into.metrics.readGauge(g.name, g.help, g.labelNames).track(g.labels, async () => {
        const s = await status()
        if (typeof s === 'string') throw new Error(s)
        return s.gauges[i]!
      })
    })
  }

  const spawn = () =>
    new Promise<void>((resolve, reject) => {
      let started = false
      const w = new Worker(new URL('./read-side-thread-main.ts', import.meta.url), { workerData: data })
      worker = w
      w.on('message', (message: FromThread) => {
        if (message.type === 'started') {
          started = true
          register(message.manifest)
          resolve()
        } else if (message.type === 'status') waiting.get(message.id)?.(message.status)
        else if (message.type === 'log') log[message.level](message.obj, message.msg)
      })
      w.on('error', (error) => {
        log.error({ err: error }, 'read side thread failed')
        if (!started) reject(error)
      })
      w.on('exit', (code) => {
        if (worker === w) worker = undefined
        for (const settle of waiting.values()) settle(notRunning)
        if (!started) return reject(new Error(`the read side’s thread exited (${code}) before it started`))
        if (stopping) return
        log.error({ code }, `read side thread exited (${code}); restarting it in ${restartMs} ms`)
        restartLater()
      })
    })
  const restartLater = (): void => {
    setTimeout(() => {
      if (stopping) return
      spawn().catch((error: unknown) => {
        log.error({ err: error }, 'read side thread: restart failed')
        restartLater()
      })
    }, restartMs).unref()
  }

  await spawn()
  return {
    thread: () => worker,
    stop: async () => {
      stopping = true
      const w = worker
      if (!w) return
      const exited = new Promise<void>((resolve) => w.once('exit', () => resolve()))
      w.postMessage({ type: 'stop' } satisfies ToThread)
      const timer = setTimeout(() => {
        log.error({}, `read side thread: not stopped after ${stopTimeoutMs} ms; terminating it`)
        void w.terminate()
      }, stopTimeoutMs)
      await exited
      clearTimeout(timer)
    },
  }
}
