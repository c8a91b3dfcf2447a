import { TrecError } from '@trec/core'
import type { FastifyInstance, FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'
import { sendProblem } from './problem.ts'

export interface AdmissionOptions {
  /** Write requests handled at once; a write arriving when this many are in hand is refused. */
  maxInFlight: number
  /**
   * Latency budget (ms): while the oldest write in hand has waited longer than this, new writes
   * are refused, so the ones admitted finish within about this time.
   */
  maxLatencyMs: number
  /**
   * Event-loop delay budget (ms): while the loop's recent delay (the worst over the last tenth
   * of a second or so) is past this, new writes are refused. A request, a refusal too, waits
   * that long before it is even read; admitting more work only makes the wait longer. None
   * unless given.
   */
  maxLoopDelayMs?: number
  /** Called for each refusal, e.g. to count it in metrics. */
  onRefuse?: (reason: AdmissionReason) => void
}

export type AdmissionReason = 'queue_depth' | 'latency' | 'event_loop'

/** What the plugin knows, for gauges and readiness reports. */
export interface AdmissionState {
  inFlight(): number
  oldestMs(): number
  /** The event loop's recent delay (ms) as the budget sees it (0 without a loop-delay budget). */
  loopDelayMs(): number
}

declare module 'fastify' {
  interface FastifyContextConfig {
    /** `false` keeps a POST/PUT/PATCH/DELETE route out of admission control. */
    admission?: boolean
  }
  interface FastifyInstance {
    admission: AdmissionState
  }
}

const writeMethods = new Set(['POST', 'PUT', 'PATCH', 'DELETE'])

/** Writes are counted; reads (GET, HEAD), probes and metrics always pass. */
export function isAdmitted(request: FastifyRequest): boolean {
  return writeMethods.has(request.method) && request.routeOptions.config?.admission !== false
}

/** How often the loop's delay is sampled (ms), and how long a window the budget looks at. */
const loopTickMs = 10
const loopWindowMs = 100

/**
 * The event loop's recent delay: how late a timer that should fire every `loopTickMs` fires, the
 * worst of the window that ended last and of the one under way, and of the wait in progress (a
 * request read right after a stall sees it before the timer does). One stall counts for about a
 * window and is then forgotten. (perf_hooks' monitorEventLoopDelay recorded nothing while work
 * went on in slices chained by setImmediate, on Node 24: hence a timer of its own.) The timer
 * does not keep the process alive.
 */
function loopDelayWatch(): { delayMs(): number; stop(): void } {
  let last = performance.now()
  let windowStart = last
  let currentMs = 0
  let previousMs = 0
  const tick = setInterval(() => {
    const now = performance.now()
    const late = now - last - loopTickMs
    last = now
    if (now - windowStart >= loopWindowMs) {
      previousMs = currentMs
      currentMs = 0
      windowStart = now
    }
    currentMs = Math.max(currentMs, late)
  }, loopTickMs)
  tick.unref()
  return {
    delayMs: () => Math.max(0, previousMs, currentMs, performance.now() - last - loopTickMs),
    stop: () => clearInterval(tick),
  }
}

/**
 * Admission control on the write path. A server that queues every request it is sent answers
 * none in time once it is offered more than it can do (each new request waits behind the
 * backlog). Instead, past a queue depth (`maxInFlight` writes in hand), a latency budget (the
 * oldest write in hand older than `maxLatencyMs`) or an event-loop delay budget
 * (`maxLoopDelayMs`), a new write is answered at once with 503 `TREC_OVERLOADED` and
 * `Retry-After`, in the first hook of the request (before its token is verified or its body
 * parsed), so a refusal costs almost nothing and the writes admitted still finish in time.
 * Reads, health and metrics are never refused here. The counts are this process's own: each
 * instance sheds for itself, as a load balancer in front expects.
 *
 * What a refusal waits for is the event loop: a request is read only when the work before it on
 * the loop's one thread is done. The loop-delay budget keeps that wait short by admitting no
 * new work while the loop is late, rather than waiting until the writes in hand are old.
 */
export const admissionPlugin = fp(
  async (app: FastifyInstance, options: AdmissionOptions) => {
    // Admission times in insertion order: the first entry is the oldest write in hand.
    const inHand = new Set<{ at: number }>()
    const oldestMs = () => {
      for (const entry of inHand) return performance.now() - entry.at
      return 0
    }
    const loop = options.maxLoopDelayMs === undefined ? undefined : loopDelayWatch()
    if (loop) app.addHook('onClose', async () => loop.stop())
    const loopDelayMs = () => loop?.delayMs() ?? 0
    app.decorate('admission', { inFlight: () => inHand.size, oldestMs, loopDelayMs })
    app.addHook('onRequest', async (request, reply) => {
      if (!isAdmitted(request)) return
      const waited = oldestMs()
      const reason: AdmissionReason | undefined =
        inHand.size >= options.maxInFlight
          ? 'queue_depth'
          : waited > options.maxLatencyMs
            ? 'latency'
            : loop && loop.delayMs() > options.maxLoopDelayMs!
              ? 'event_loop'
              : undefined
      if (reason) {
        options.onRefuse?.(reason)
        // Without a latency budget (Infinity), a second is the shortest honest wait to name.
        const budgetMs = Number.isFinite(options.maxLatencyMs) ? options.maxLatencyMs : 1000
        const seconds = Math.max(1, Math.ceil(Math.max(waited, budgetMs) / 1000))
        reply.header('retry-after', String(seconds))
        return sendProblem(
          reply,
          new TrecError(
            'TREC_OVERLOADED',
            `系统繁忙，请 ${seconds} 秒后重试 (at capacity; retry in ${seconds} s)`,
            {
              details: { reason, retryAfterSeconds: seconds },
              canRetry: true,
            },
          ),
        )
      }
      const entry = { at: performance.now() }
      inHand.add(entry)
      // 'close' fires once the answer is sent or the connection is gone, whichever comes first.
      reply.raw.once('close', () => inHand.delete(entry))
    })
  },
  { name: 'trec-admission', fastify: '5.x' },
)
