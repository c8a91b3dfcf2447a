import type { Platform } from '@trec/fastify-kit'
import type { Readiness } from './readiness.ts'

export interface Closable {
  close(): Promise<unknown>
}

export interface ShutdownOptions {
  /** Longest the whole shutdown may take; past it the process exits with 1 anyway. */
  timeoutMs: number
  signals?: readonly NodeJS.Signals[]
  log?: (message: string) => void
  exit?: (code: number) => never | void
}

/**
 * Closes `target` (for the app: stop accepting connections, answer 503 to new requests on open
 * ones, let the requests in flight finish, then run the onClose hooks, which stop background
 * workers and close the store) and resolves with the exit code: 0 when it finished within
 * `timeoutMs`, 1 when it failed or ran out of time. An orchestrator sends SIGKILL after its own
 * grace period (Kubernetes: 30 s by default), so the timeout must be shorter than that.
 */
export async function closeWithin(
  target: Closable,
  timeoutMs: number,
  log: (m: string) => void,
): Promise<number> {
  let timer: NodeJS.Timeout | undefined
  const deadline = new Promise<number>((resolve) => {
    timer = setTimeout(() => {
      log(`shutdown: still closing after ${timeoutMs} ms, exiting anyway`)
      resolve(1)
    }, timeoutMs)
    timer.unref()
  })
  const closing = target.close().then(
    () => 0,
    (error: unknown) => {
      log(`shutdown: closing failed: ${(error as Error).message}`)
      return 1
    },
  )
  try {
    return await Promise.race([closing, deadline])
  } finally {
    clearTimeout(timer)
  }
}

/**
 * On the first SIGTERM or SIGINT, closes `target` within the timeout and exits with its code.
 * A second signal while closing exits at once with 1 (an operator's second Ctrl-C).
 */
export function exitOnSignals(target: Closable, options: ShutdownOptions): void {
  const log = options.log ?? ((m: string) => console.error(m))
  const exit = options.exit ?? ((code: number) => process.exit(code))
  let closing = false
  for (const signal of options.signals ?? (['SIGTERM', 'SIGINT'] as const))
    process.on(signal, () => {
      if (closing) {
        log(`shutdown: ${signal} again, exiting now`)
        exit(1)
        return
      }
      closing = true
      log(`shutdown: ${signal} received, draining requests`)
      void closeWithin(target, options.timeoutMs, log).then((code) => {
        log(`shutdown: done (exit ${code})`)
        exit(code)
      })
    })
}

/**
 * The app's shutdown in two steps. First it drains for `drainMs`: it still answers every
 * request, but each answer carries `Connection: close` and /health/ready reports unavailable, so
 * load balancers stop sending and clients move off their keep-alive connections while the
 * requests they already sent (maybe not yet read, on a busy event loop) are answered. Then it
 * closes (503 to anything newer, in-flight requests finish, background workers stop, the store
 * closes; a `front` thread, if the app is served behind one, closes before the app). Without the drain, closing drops idle keep-alive connections whose next request is
 * already on the wire.
 */
export function drainThenClose(
  app: Platform,
  readiness: Readiness,
  drainMs: number,
  front?: Closable,
): Closable {
  let draining = false
  app.addHook('onSend', async (_request, reply) => {
    if (draining) reply.header('connection', 'close')
  })
  readiness.add({ name: 'shutdown', check: async () => ({ ready: !draining }) })
  return {
    async close() {
      draining = true
      await new Promise((resolve) => setTimeout(resolve, drainMs))
      // Behind a front thread, it stops taking connections and answers what it holds first.
      await front?.close()
      await app.close()
    },
  }
}
