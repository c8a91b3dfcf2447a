import type { FastifyInstance, FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'
import {
  AdmissionBudget,
  type AdmissionReason,
  type BudgetLimits,
  isWriteMethod,
  overloaded,
} from './admission-budget.ts'
import { sendProblem } from './problem.ts'

export interface AdmissionOptions extends BudgetLimits {
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

/** Writes are counted; reads (GET, HEAD), probes and metrics always pass. */
export function isAdmitted(request: FastifyRequest): boolean {
  return isWriteMethod(request.method) && request.routeOptions.config?.admission !== false
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
    const budget = new AdmissionBudget(options)
    const loop = options.maxLoopDelayMs === undefined ? undefined : loopDelayWatch()
    if (loop) app.addHook('onClose', async () => loop.stop())
    const loopDelayMs = () => loop?.delayMs() ?? 0
    app.decorate('admission', {
      inFlight: () => budget.inFlight(),
      oldestMs: () => budget.oldestMs(),
      loopDelayMs,
    })
    app.addHook('onRequest', async (request, reply) => {
      if (!isAdmitted(request)) return
      const reason =
        budget.refusal() ?? (loop && loop.delayMs() > options.maxLoopDelayMs! ? 'event_loop' : undefined)
      if (reason) {
        options.onRefuse?.(reason)
        const seconds = budget.retryAfterSeconds()
        reply.header('retry-after', String(seconds))
        return sendProblem(reply, overloaded(reason, seconds))
      }
      // 'close' fires once the answer is sent or the connection is gone, whichever comes first.
      reply.raw.once('close', budget.enter())
    })
  },
  { name: 'trec-admission', fastify: '5.x' },
)
