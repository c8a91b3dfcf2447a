import { appOptions, buildApp, devIssuer, loadConfig, openRuntime, resolveSettings } from '@trec/app'
import type { EventStore } from '@trec/eventstore'
import type { Platform } from '@trec/fastify-kit'
import { type Client, client } from './client.ts'
import { fetchSender } from './http.ts'

// The embedded start as `npm start` runs it: the configuration read from the environment with
// its defaults (the embedded store in a data directory, development keys and secrets made there
// on first start), every service, background projections and the audit notary, listening on
// 127.0.0.1. Tokens are minted with the development key the way `npm run token` does. Only the
// clock is the test's, so a class can run on the days before "today".

export interface StartedSystem {
  app: Platform
  store: EventStore
  url: string
  http: Client
  clock: { now: Date }
  close(): Promise<void>
}

export async function startedSystem(dataDir: string, clock: { now: Date }): Promise<StartedSystem> {
  const config = loadConfig({
    TREC_DATA_DIR: dataDir,
    TREC_PORT: '0',
    TREC_LOG_LEVEL: 'silent',
    TREC_AUDIT_CHECKPOINT_SECONDS: '1',
  })
  const settings = await resolveSettings(config)
  const runtime = await openRuntime(config)
  const app = await buildApp({ ...appOptions(config, settings, runtime), clock: () => clock.now })
  const url = await app.listen({ host: '127.0.0.1', port: 0 })
  const issuer = await devIssuer(dataDir, config.TREC_JWT_ISSUER, config.TREC_JWT_AUDIENCE)
  return {
    app,
    store: runtime.store,
    url,
    http: client(fetchSender(url), issuer, settings.workerSessions),
    clock,
    close: () => app.close(),
  }
}
