import type { Platform } from '@trec/fastify-kit'
import { type OversightOptions, resolveOptions } from './options.ts'
import type { OversightReadSide } from './read-side.ts'
import { alertRoutes } from './routes/alerts.ts'
import { annualReportRoutes } from './routes/annual-reports.ts'
import { caseRoutes } from './routes/cases.ts'
import { commitmentRoutes } from './routes/commitments.ts'
import { gradeRoutes } from './routes/grades.ts'
import { registryListRoutes } from './routes/registry-lists.ts'
import { samplingRoutes } from './routes/sampling.ts'
import { samplingResultRoutes } from './routes/sampling-results.ts'
import { samplingRunListRoute } from './routes/sampling-run-list.ts'
import { traceRoutes } from './routes/trace.ts'

/**
 * The oversight read side as a fastify plugin: fraud alerts, the investigator's claim trace,
 * case files and 双随机 sampling runs, served from the oversight projections. Register it on
 * the platform without a prefix (routes are under `/v1/oversight/...`):
 * `await app.register(oversightService, { store, db })`. Unless `follow: false`, it follows the
 * store's feed while the app runs, raising alerts as events arrive.
 */
export async function oversightService(app: Platform, options: OversightOptions): Promise<void> {
  const resolved = resolveOptions(options)
  await resolved.readSide.setup()
  alertRoutes(app, resolved)
  traceRoutes(app, resolved)
  caseRoutes(app, resolved)
  samplingRoutes(app, resolved)
  gradeRoutes(app, resolved)
  registryListRoutes(app, resolved)
  samplingRunListRoute(app, resolved)
  commitmentRoutes(app, resolved)
  annualReportRoutes(app, resolved)
  samplingResultRoutes(app, resolved)
  if (!resolved.follow) return
  const stop = new AbortController()
  let running: Promise<void> | undefined
  app.addHook('onReady', async () => {
    running = followUntilStopped(resolved.readSide, stop.signal, app.log)
  })
  app.addHook('onClose', async () => {
    stop.abort()
    await running
  })
}

/**
 * Follows the feed until `signal` aborts. A failure (the database restarting, a connection
 * reset) is logged and the read side resumes from its checkpoints after a pause, first
 * appending the alerts a batch committed but could not append. Rows and checkpoints commit
 * together, so resuming applies nothing twice and skips nothing.
 */
export function followUntilStopped(
  readSide: OversightReadSide,
  signal: AbortSignal,
  log: { error(obj: unknown, msg: string): void },
  pauseMs = 1000,
): Promise<void> {
  return readSide.follow(signal, {
    retryMs: pauseMs,
    onError: (error) =>
      log.error(
        { err: error },
        `oversight projections failed; resuming from their checkpoints in ${pauseMs} ms`,
      ),
  })
}
