import { listenBehindFront } from '@trec/fastify-kit'
import { buildApp } from './app.ts'
import { appOptions, frontOptions } from './app-options.ts'
import type { Config } from './config.ts'
import { Metrics } from './metrics.ts'
import type { Runtime } from './open-store.ts'
import { Readiness } from './readiness.ts'
import { resolveSettings } from './settings.ts'
import { drainThenClose, exitOnSignals } from './shutdown.ts'

/** Runs the server on the store main.ts began to open, until a signal stops it. */
export async function serve(config: Config, opening: Promise<Runtime>): Promise<void> {
  const settings = await resolveSettings(config)
  const runtime = await opening
  const readiness = new Readiness()
  const metrics = new Metrics()
  const app = await buildApp({ ...appOptions(config, settings, runtime), readiness, metrics })
  // With TREC_FRONT_THREAD=on a thread of its own reads the sockets (fastify-kit's front.ts).
  const frontWanted = frontOptions(config)
  const front = frontWanted
    ? await listenBehindFront(app, {
        ...frontWanted,
        onRefuse: metrics.observeRefusal,
        // A process no request can reach exits, for its supervisor to start it again.
        onLost: () => process.exit(1),
      })
    : undefined
  exitOnSignals(drainThenClose(app, readiness, config.TREC_SHUTDOWN_DRAIN_MS, front), {
    timeoutMs: config.TREC_SHUTDOWN_TIMEOUT_MS,
    log: (m) => app.log.info(m),
  })
  const address = front?.address ?? (await app.listen({ host: config.TREC_HOST, port: config.TREC_PORT }))
  const where =
    config.TREC_STORE === 'pglite' ? `the embedded store in ${config.TREC_DATA_DIR}` : config.TREC_STORE
  console.log(`
trec is running on ${where}: ${config.TREC_SERVICES.join(', ')}
  API docs:  ${address}/docs
  OpenAPI:   ${address}/docs/json
  health:    ${address}/health/ready
  metrics:   ${address}/metrics${config.TREC_METRICS_TOKEN ? ' (bearer TREC_METRICS_TOKEN)' : ''}
${
  settings.development
    ? `  Development keys and secrets are in ${config.TREC_DATA_DIR}/dev-secrets.json. Mint a token:
    npm run token -- --role institution_staff --institution inst-130100-0001
  and call e.g.  curl -H "authorization: Bearer <token>" ${address}/v1/institutions/inst-130100-0001`
    : ''
}
Stop with Ctrl-C.`)
}
