// The server's entry point. Node's compile cache is switched on before anything else loads: a
// restart then reads the workspace's modules (type-stripped TypeScript and the libraries) from
// the cache in the system's temporary directory rather than compiling them again, which took
// module loading from 5.9–6.5 s to 3.1–3.5 s of a restart on a loaded two-core machine. Static
// imports are all compiled before the first line of a module runs, hence the dynamic import.
import { enableCompileCache } from 'node:module'

enableCompileCache()
await import('./server.ts')
