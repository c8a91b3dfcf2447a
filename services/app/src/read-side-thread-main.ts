// A read side's thread (started by read-side-thread.ts): the projections, the fraud detectors
// and the audit notary, or the group of them it is given (`only`: read-side-threads.ts), on
// connections of their own to PostgreSQL, so the request thread only handles HTTP and commands.
// It answers the request thread's `status` messages (its readiness
// checks and gauges), forwards its log lines, and on `stop` stops after the batches in flight
// commit, closes its connections and ends.
import { parentPort, workerData } from 'node:worker_threads'
import { pgExecutor, SqlEventStore } from '@trec/eventstore/postgres'
import pg from 'pg'
import type { ReadGauge } from './metrics.ts'
import { startReadSide } from './read-side.ts'
import type { FromThread, ReadSideManifest, ReadSideThreadData, ToThread } from './read-side-thread.ts'
import { Readiness } from './readiness.ts'
import { lowerThreadPriority } from './thread-priority.ts'

const data = workerData as ReadSideThreadData
const port = parentPort!
const send = (message: FromThread) => port.postMessage(message)

/** An error as plain data (what crosses to the other thread and the log). */
const plain = (obj: unknown): unknown =>
  obj && typeof obj === 'object' && 'err' in obj && obj.err instanceof Error
    ? { ...obj, err: { type: obj.err.name, message: obj.err.message, stack: obj.err.stack } }
    : obj
const log = {
  error: (obj: unknown, msg: string) => send({ type: 'log', level: 'error', obj: plain(obj), msg }),
  info: (obj: unknown, msg: string) => send({ type: 'log', level: 'info', obj: plain(obj), msg }),
}

// The gauges the read side registers, read when the request thread asks.
const sources: { read: () => number | bigint | Promise<number | bigint> }[] = []
const manifest: ReadSideManifest = { checks: [], gauges: [] }
const metrics = {
  readGauge(name: string, help: string, labelNames: readonly string[] = []): ReadGauge {
    return {
      track(labels, read) {
        manifest.gauges.push({ name, help, labelNames, labels })
        sources.push({ read })
        return () => undefined
      },
    }
  },
}
const readiness = new Readiness()

if (data.nice) {
  const notApplied = lowerThreadPriority(data.nice)
  if (notApplied) log.info({ nice: data.nice, reason: notApplied }, 'read side thread: niceness not applied')
}

const pool = new pg.Pool({
  connectionString: data.connectionString,
  max: 10,
  application_name: data.applicationName ?? 'trec-read-side',
})
pool.on('error', () => undefined)
const sql = pgExecutor(pool)
const store = new SqlEventStore(sql, data.storeSchema ? { schema: data.storeSchema } : {})
const stop = await startReadSide({
  store,
  db: sql,
  services: data.services,
  readModels: data.readModels,
  ...(data.only ? { only: data.only } : {}),
  ...(data.readSchema ? { readSchema: data.readSchema } : {}),
  ...(data.audit ? { audit: data.audit } : {}),
  into: { metrics, readiness },
  log,
})
manifest.checks = Object.keys((await readiness.report()).checks)

port.on('message', (message: ToThread) => {
  if (message.type === 'status') {
    void (async () => {
      const [report, gauges] = await Promise.all([
        readiness.report(),
        Promise.all(sources.map(async (s) => Number(await s.read()))).catch(() =>
          sources.map(() => Number.NaN),
        ),
      ])
      send({ type: 'status', id: message.id, status: { checks: report.checks, gauges } })
    })().catch((error: unknown) => log.error({ err: error }, 'read side thread: status failed'))
    return
  }
  void (async () => {
    await stop()
    await store.close()
    send({ type: 'stopped' })
    process.exit(0)
  })().catch((error: unknown) => {
    log.error({ err: error }, 'read side thread: stopping failed')
    process.exit(1)
  })
})
send({ type: 'started', manifest })
