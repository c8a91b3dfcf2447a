import { loggerOptions, problemPlugin } from '@trec/fastify-kit'
import Fastify, { type FastifyInstance } from 'fastify'
import type { Admin } from 'kafkajs'
import type { Config } from './config.ts'
import { registerHealthRoutes } from './health-routes.ts'
import type { Metrics } from './metrics.ts'
import type { Readiness, ReadinessCheck } from './readiness.ts'

/**
 * The HTTP side of a background process (the relay, a read worker): health probes and the
 * Prometheus scrape only, on TREC_HOST:TREC_PORT. Its logger is the process's logger.
 */
export async function listenForProbes(
  config: Config,
  into: { readiness: Readiness; metrics: Metrics },
): Promise<FastifyInstance> {
  const http = Fastify({ logger: loggerOptions(config.TREC_LOG_LEVEL) })
  await http.register(problemPlugin)
  registerHealthRoutes(http, {
    ...into,
    ...(config.TREC_METRICS_TOKEN ? { metricsToken: config.TREC_METRICS_TOKEN } : {}),
  })
  await http.listen({ host: config.TREC_HOST, port: config.TREC_PORT })
  return http
}

/** Ready while the Kafka cluster answers and lists a broker. */
export function kafkaCheck(admin: Admin): ReadinessCheck {
  return {
    name: 'kafka',
    async check() {
      const cluster = await admin.describeCluster()
      return { ready: cluster.brokers.length > 0, brokers: cluster.brokers.length }
    },
  }
}
