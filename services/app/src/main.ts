// The server's entry point. Node's compile cache is switched on before anything else loads: a
// restart then reads the workspace's modules (type-stripped TypeScript and the libraries) from
// the cache in the system's temporary directory rather than compiling them again, which took
// module loading from 5.9–6.5 s to 3.1–3.5 s of a restart on a loaded two-core machine. Static
// imports are all compiled before the first line of a module runs, hence the dynamic imports.
// (`npm start` names the cache in the environment as well, so that it serves this file too:
// scripts/trec.mjs.)
//
// The store is opened before the rest of the server is loaded, and loading goes on while it
// opens: the embedded database opens in its own thread, started before the server's modules load
// (their evaluation holds this thread until it is done), so that time overlaps the loading of
// fastify and the services instead of following it (see BENCHMARKS.md, restart to ready).
import { enableCompileCache } from 'node:module'

enableCompileCache()
const { loadConfig } = await import('./config.ts')
const { beginRuntime } = await import('./open-store.ts')
const config = loadConfig()
// Waits only until the opening goes on by itself (the embedded database's thread started).
const { runtime: opening } = await beginRuntime(config)
// Awaited by serve(); until then a failure to open must not count as an unhandled rejection.
opening.catch(() => undefined)
const { serve } = await import('./server.ts')
await serve(config, opening)
