import { createHash, timingSafeEqual } from 'node:crypto'
import { TrecError } from '@trec/core'
import type { Platform } from '@trec/fastify-kit'
import type { Metrics } from './metrics.ts'
import type { Readiness } from './readiness.ts'

export interface HealthRoutesOptions {
  readiness: Readiness
  metrics: Metrics
  /** When given, GET /metrics needs `Authorization: Bearer <token>`. */
  metricsToken?: string
}

const digest = (s: string) => createHash('sha256').update(s).digest()

/** Compares in constant time (over digests, so the lengths leak nothing either). */
function sameToken(given: string, expected: string): boolean {
  return timingSafeEqual(digest(given), digest(expected))
}

// Probes and scrapes: public as far as the bearer-token auth goes (an orchestrator has no user
// token), outside the rate limit (a probe refused 429 would restart a healthy process), and
// left out of the OpenAPI document.
const probe = { auth: { public: true as const }, rateLimit: false as const }

/**
 * GET /health/live (the process answers), GET /health/ready (every readiness check passes:
 * 200, else 503, with each check's facts either way) and GET /metrics (Prometheus text).
 * While the server closes, fastify answers 503 to every new request, so a draining instance
 * leaves the load balancer's pool.
 */
export function registerHealthRoutes(app: Platform, options: HealthRoutesOptions): void {
  app.get('/health/live', { config: probe, schema: { hide: true } }, async () => ({ status: 'live' }))
  app.get('/health/ready', { config: probe, schema: { hide: true } }, async (_request, reply) => {
    const report = await options.readiness.report()
    return reply.code(report.status === 'ready' ? 200 : 503).send(report)
  })
  app.get('/metrics', { config: probe, schema: { hide: true } }, async (request, reply) => {
    const token = options.metricsToken
    if (token !== undefined) {
      const match = /^Bearer (\S+)$/.exec(request.headers.authorization ?? '')
      if (!match || !sameToken(match[1]!, token)) {
        reply.header('www-authenticate', 'Bearer realm="metrics"')
        throw new TrecError('TREC_UNAUTHENTICATED', 'the metrics scrape token is missing or wrong', {
          details: { reason: 'metrics token' },
        })
      }
    }
    const { contentType, body } = await options.metrics.exposition()
    return reply.type(contentType).send(body)
  })
}
