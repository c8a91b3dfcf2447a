import type { Platform } from '@trec/fastify-kit'
import { type OversightOptions, resolveOptions } from './options.ts'
import { alertRoutes } from './routes/alerts.ts'
import { caseRoutes } from './routes/cases.ts'
import { samplingRoutes } from './routes/sampling.ts'
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
  if (!resolved.follow) return
  const stop = new AbortController()
  let running: Promise<void> | undefined
  app.addHook('onReady', async () => {
    running = resolved.readSide.follow(stop.signal).catch((error: unknown) => {
      app.log.error({ err: error }, 'oversight projections stopped')
    })
  })
  app.addHook('onClose', async () => {
    stop.abort()
    await running
  })
}
