import rateLimit from '@fastify/rate-limit'
import { TrecError } from '@trec/core'
import type { FastifyInstance, FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'
import helmet from 'helmet'
import { principalKey } from './principal.ts'

export interface RateLimitOptions {
  /** Requests one caller may make per window. */
  max: number
  /** Length of the window in milliseconds. */
  timeWindowMs: number
  /** Most callers tracked at once per process (least recently seen are forgotten first). */
  cacheSize?: number
}

/**
 * Who a request is counted against. An authenticated caller is its whole principal (issuer,
 * subject, client, role, region, institution: the same key idempotency records are kept under), so many users behind one NAT or one proxy
 * do not share a budget and one client cannot escape its budget by changing address. Only
 * public routes (health, docs) fall back to the address.
 */
export function rateLimitKey(request: FastifyRequest): string {
  const p = request.principal
  return p ? `principal:${principalKey(p)}` : `ip:${request.ip}`
}

/**
 * Per-caller request budgets, in process memory (each instance counts its own callers: put the
 * limit at the ingress too if several instances share one client). Checked in each route's own
 * `onRequest` hook, which fastify runs after the instance's hooks, so the bearer token is
 * already verified and the key is its subject; a request refused 401 costs no budget. A route
 * opts out with `config: { rateLimit: false }` (health probes, metrics). Exceeding answers 429
 * problem+json with `Retry-After` in seconds (RFC 9110 §10.2.3).
 */
export const rateLimitPlugin = fp(
  async (app: FastifyInstance, options: RateLimitOptions) => {
    await app.register(rateLimit, {
      global: true,
      max: options.max,
      timeWindow: options.timeWindowMs,
      cache: options.cacheSize ?? 10_000,
      keyGenerator: rateLimitKey,
      errorResponseBuilder: (_request, context) =>
        new TrecError('TREC_RATE_LIMITED', `too many requests: at most ${context.max} per window`, {
          details: { limit: context.max, retryAfterSeconds: Math.ceil(context.ttl / 1000) },
          canRetry: true,
        }),
    })
  },
  { name: 'trec-rate-limit', fastify: '5.x' },
)

/**
 * Response headers for a JSON API whose only HTML is the Swagger UI page at /docs (OWASP REST
 * Security and Secure Headers projects): a content security policy that lets that page load
 * its own scripts and nothing else and forbids framing, HSTS, nosniff, no referrer, and
 * `Cache-Control: no-store` on JSON answers, which may carry personal data that no shared
 * cache should keep.
 */
export const securityHeadersPlugin = fp(
  async (app: FastifyInstance) => {
    // Helmet's middleware, built once: it sets the same headers on every response. (The fastify
    // wrapper rebuilds it, parsing the policy again, on every request.)
    const setHeaders = helmet({
      contentSecurityPolicy: {
        useDefaults: false,
        directives: {
          defaultSrc: ["'self'"],
          baseUri: ["'self'"],
          connectSrc: ["'self'"],
          fontSrc: ["'self'", 'data:'],
          formAction: ["'self'"],
          frameAncestors: ["'none'"],
          imgSrc: ["'self'", 'data:'],
          objectSrc: ["'none'"],
          scriptSrc: ["'self'"],
          scriptSrcAttr: ["'none'"],
          // Swagger UI sets style attributes on its elements; no script may be inline.
          styleSrc: ["'self'", "'unsafe-inline'"],
        },
      },
      frameguard: { action: 'deny' },
      referrerPolicy: { policy: 'no-referrer' },
    })
    app.addHook('onRequest', (request, reply, done) =>
      setHeaders(request.raw, reply.raw, (error) => done(error as Error | undefined)),
    )
    app.addHook('onSend', async (_request, reply, payload) => {
      const type = String(reply.getHeader('content-type') ?? '')
      if (/json/.test(type) && !reply.hasHeader('cache-control')) reply.header('cache-control', 'no-store')
      return payload
    })
  },
  { name: 'trec-security-headers', fastify: '5.x' },
)
