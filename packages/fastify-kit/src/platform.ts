import { uuidv7 } from '@trec/core'
import type { SqlExecutor } from '@trec/eventstore'
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify'
import { serializerCompiler, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod'
import { type AdmissionOptions, admissionPlugin } from './admission.ts'
import { type AuthOptions, authPlugin } from './auth.ts'
import { type IdempotencyOptions, idempotencyPlugin } from './idempotency.ts'
import { type LineSink, loggerOptions } from './logger.ts'
import { type OpenapiOptions, openapiPlugin } from './openapi.ts'
import { problemPlugin } from './problem.ts'
import { type RateLimitOptions, rateLimitPlugin, securityHeadersPlugin } from './protection.ts'
import { cardScreeningPlugin } from './screening.ts'

/** One answered request, for metrics: `route` is the route's template, never the URL sent. */
export interface RequestSample {
  method: string
  route: string
  status: number
  seconds: number
}

export interface PlatformOptions {
  auth: AuthOptions
  /** Database for idempotency records (the store's own database in embedded mode). */
  db: SqlExecutor
  logLevel?: string
  logSink?: LineSink
  /** Largest request body in bytes (default 1 MiB). */
  bodyLimit?: number
  title?: string
  version?: string
  /** What else the OpenAPI document says of the API: servers, contact, licence, tag descriptions. */
  openapi?: Omit<OpenapiOptions, 'title' | 'version'>
  /** Security response headers (helmet); off unless asked, so that existing answers stay as they are. */
  securityHeaders?: boolean
  /** Per-caller request budget (keyed by the token's client and subject); none unless given. */
  rateLimit?: RateLimitOptions
  /** Admission control of writes (503 past a queue depth or latency budget); none unless given. */
  admission?: AdmissionOptions
  /** Called once per answered request, e.g. to feed latency histograms. */
  observeRequest?: (sample: RequestSample) => void
  /** When an unfinished request's key is released (see IdempotencyOptions). */
  idempotency?: Pick<IdempotencyOptions, 'abandonAfterMs' | 'releaseAtStart'>
}

type CompilersFactory = NonNullable<FastifyServerOptions['schemaController']>['compilersFactory']
// The option is typed after Ajv's and fast-json-stringify's factories; the zod compilers have the
// signature that fastify's own setValidatorCompiler and setSerializerCompiler take, which is what
// fastify calls them with.
const zodCompilers = {
  buildValidator: () => validatorCompiler,
  buildSerializer: () => serializerCompiler,
} as unknown as CompilersFactory

const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i
const ulid = /^[0-7][0-9A-HJKMNP-TV-Z]{25}$/i

/** A client's X-Request-Id when it is one UUID or ULID; anything else is replaced. */
export function clientRequestId(header: string | string[] | undefined): string | undefined {
  return typeof header === 'string' && (uuid.test(header) || ulid.test(header)) ? header : undefined
}

/**
 * The HTTP platform every service is registered on, in one process or alone: problem+json
 * errors, OpenAPI from the zod schemas, bearer auth on every route, idempotency keys.
 */
export async function buildPlatform(options: PlatformOptions) {
  const app: FastifyInstance = Fastify({
    logger: loggerOptions(options.logLevel ?? 'info', options.logSink),
    bodyLimit: options.bodyLimit ?? 1024 * 1024,
    // Request ids are the server's own: they are written into access events, so a client's
    // X-Request-Id is kept only when it is a UUID or a ULID (nothing else, card numbers least).
    requestIdHeader: false,
    genReqId: (request) => clientRequestId(request.headers['x-request-id']) ?? uuidv7(),
    // Every route validates and serializes with its zod schemas (openapi.ts sets the same
    // compilers): named here, fastify does not load and set up Ajv and fast-json-stringify for
    // compilers nothing uses (a third of the platform's construction in a profile of a restart).
    schemaController: { compilersFactory: zodCompilers },
  })
  const observe = options.observeRequest
  if (observe)
    app.addHook('onResponse', async (request, reply) => {
      observe({
        method: request.method,
        // A URL that matched no route is one label, whatever was asked for.
        route: request.routeOptions.url ?? 'unmatched',
        status: reply.statusCode,
        seconds: reply.elapsedTime / 1000,
      })
    })
  await app.register(problemPlugin)
  // Before any route exists, so that every route gets their hooks.
  if (options.securityHeaders) await app.register(securityHeadersPlugin)
  // Before auth and rate limits: an overloaded server refuses a write before verifying its token.
  if (options.admission) await app.register(admissionPlugin, options.admission)
  if (options.rateLimit) await app.register(rateLimitPlugin, options.rateLimit)
  await app.register(openapiPlugin, {
    ...options.openapi,
    title: options.title ?? 'trec',
    version: options.version ?? '0.1.0',
  })
  await app.register(authPlugin, options.auth)
  await app.register(cardScreeningPlugin)
  await app.register(idempotencyPlugin, { ...options.idempotency, db: options.db })
  return app.withTypeProvider<ZodTypeProvider>()
}

export type Platform = Awaited<ReturnType<typeof buildPlatform>>
