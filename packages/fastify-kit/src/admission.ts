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
  /** Called for each refusal, e.g. to count it in metrics. */
  onRefuse?: (reason: AdmissionReason) => void
}

export type AdmissionReason = 'queue_depth' | 'latency'

/** What the plugin knows, for gauges and readiness reports. */
export interface AdmissionState {
  inFlight(): number
  oldestMs(): number
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

/**
 * Admission control on the write path. A server that queues every request it is sent answers
 * none in time once it is offered more than it can do (each new request waits behind the
 * backlog). Instead, past a queue depth (`maxInFlight` writes in hand) or a latency budget (the
 * oldest write in hand older than `maxLatencyMs`), a new write is answered at once with 503
 * `TREC_OVERLOADED` and `Retry-After`, before its token is verified or its body parsed, so a
 * refusal costs almost nothing and the writes admitted still finish in time. Reads, health and
 * metrics are never refused here. The counts are this process's own: each instance sheds for
 * itself, as a load balancer in front expects.
 */
export const admissionPlugin = fp(
  async (app: FastifyInstance, options: AdmissionOptions) => {
    // Admission times in insertion order: the first entry is the oldest write in hand.
    const inHand = new Set<{ at: number }>()
    const oldestMs = () => {
      for (const entry of inHand) return performance.now() - entry.at
      return 0
    }
    app.decorate('admission', { inFlight: () => inHand.size, oldestMs })
    app.addHook('onRequest', async (request, reply) => {
      if (!isAdmitted(request)) return
      const waited = oldestMs()
      const reason: AdmissionReason | undefined =
        inHand.size >= options.maxInFlight
          ? 'queue_depth'
          : waited > options.maxLatencyMs
            ? 'latency'
            : undefined
      if (reason) {
        options.onRefuse?.(reason)
        const seconds = Math.max(1, Math.ceil(Math.max(waited, options.maxLatencyMs) / 1000))
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
