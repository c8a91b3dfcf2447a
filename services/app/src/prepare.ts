// One-shot preparation before a deployment's services start (the `prepare` job of
// docker-compose.yml): creates the schemas of the store, the key store and the idempotency
// records once, so that services starting together do not race to do it, and, when the
// environment gives no external keys, the development secrets in TREC_DATA_DIR that every
// container then shares. Exits 0 when done; running it again changes nothing.
import { buildApp } from './app.ts'
import { appOptions } from './app-options.ts'
import { loadConfig } from './config.ts'
import { openRuntime } from './open-store.ts'
import { resolveSettings } from './settings.ts'

const config = loadConfig()
const settings = await resolveSettings(config)
const runtime = await openRuntime(config)
// Nothing runs in the background here: schemas are made, then the process ends.
const app = await buildApp({
  ...appOptions(config, settings, runtime),
  logLevel: 'warn',
  runProjections: false,
})
await app.ready()
await app.close()
console.log(
  `prepared ${config.TREC_STORE} for ${config.TREC_SERVICES.join(', ')}${settings.development ? ` (development secrets in ${config.TREC_DATA_DIR})` : ''}`,
)
