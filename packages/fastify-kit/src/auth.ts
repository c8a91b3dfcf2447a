import { readFileSync } from 'node:fs'
import { TrecError } from '@trec/core'
import type { FastifyInstance, FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'
import {
  createLocalJWKSet,
  createRemoteJWKSet,
  decodeJwt,
  type JSONWebKeySet,
  type JWTVerifyGetKey,
  errors as joseErrors,
  jwtVerify,
} from 'jose'
import { claimsSchema, type Principal, principalOf, type Role } from './principal.ts'

export interface AuthOptions {
  issuer: string
  audience: string
  /** Where the verification keys are: a JWKS object, a JWKS file, or a JWKS URL. */
  keys: { jwks: JSONWebKeySet } | { jwksFile: string } | { jwksUrl: string }
  /** Pinned algorithms (RFC 8725 §3.1); never taken from the token. */
  algorithms?: string[]
  /** Oldest `iat` accepted, e.g. '15m'. */
  maxTokenAge?: string
  clockToleranceSeconds?: number
  /**
   * Worker tokens: this deployment issues them itself, only in exchange for a signed real-name
   * attestation (POST /v1/worker-sessions), under an issuer of their own and a key of their own.
   * A token of that issuer may only be a `worker`'s, and the role `worker` is accepted from no
   * other issuer (a staff identity provider cannot make someone a worker of the record).
   */
  workerSessions?: { issuer: string; jwks: JSONWebKeySet }
}

/** What a route declares about who may call it; every route must declare one or the other. */
export type RouteAuth = { public: true } | { roles: readonly Role[] }

/** One registered route and what it declared: lets tests walk every route with its roles. */
export interface RouteAuthEntry {
  method: string
  url: string
  auth: RouteAuth
  bodyLimit?: number
}

const catalogues = new WeakMap<object, RouteAuthEntry[]>()

/** Every route registered on an app built on the platform, with the auth it declared, in order. */
export function routeCatalogue(app: object): readonly RouteAuthEntry[] {
  return catalogues.get(app) ?? []
}

declare module 'fastify' {
  interface FastifyContextConfig {
    auth?: RouteAuth
  }
  interface FastifyRequest {
    principal?: Principal
  }
}

export function keySource(keys: AuthOptions['keys']): JWTVerifyGetKey {
  if ('jwks' in keys) return createLocalJWKSet(keys.jwks)
  if ('jwksFile' in keys)
    return createLocalJWKSet(JSON.parse(readFileSync(keys.jwksFile, 'utf8')) as JSONWebKeySet)
  return createRemoteJWKSet(new URL(keys.jwksUrl))
}

const unauthenticated = (reason: string) =>
  new TrecError('TREC_UNAUTHENTICATED', reason, { details: { reason } })

/**
 * Tokens already verified, until they expire: a signature check costs more than the rest of a
 * small command, and a token is presented many times in its short life. Bounded; oldest first out.
 */
export class VerifiedTokens {
  readonly #entries = new Map<string, { principal: Principal; until: number }>()
  readonly #max: number
  constructor(max = 10_000) {
    this.#max = max
  }
  get(token: string, now = Date.now()): Principal | undefined {
    const hit = this.#entries.get(token)
    if (!hit) return undefined
    if (now < hit.until) return hit.principal
    this.#entries.delete(token)
    return undefined
  }
  set(token: string, principal: Principal, until: number): void {
    if (this.#entries.size >= this.#max) this.#entries.delete(this.#entries.keys().next().value!)
    this.#entries.set(token, { principal, until })
  }
}

const ageSeconds = (age: string) => {
  const m = /^(\d+)\s*(s|m|h)$/.exec(age)
  return m ? Number(m[1]) * { s: 1, m: 60, h: 3600 }[m[2] as 's' | 'm' | 'h'] : 0
}

/** The issuer a token names, unverified: only to pick the key set it must verify under. */
function claimedIssuer(token: string): string | undefined {
  try {
    const iss = (decodeJwt(token) as { iss?: unknown }).iss
    return typeof iss === 'string' ? iss : undefined
  } catch {
    return undefined
  }
}

/** Verifies a bearer access token (RFC 9068 `at+jwt`) and returns who is calling. */
export async function authenticate(
  header: string | undefined,
  getKey: JWTVerifyGetKey,
  options: AuthOptions,
  cache?: VerifiedTokens,
  sessionKey?: JWTVerifyGetKey,
): Promise<Principal> {
  const match = /^Bearer ([A-Za-z0-9_.-]+)$/.exec(header ?? '')
  if (!match) throw unauthenticated(header ? 'malformed Authorization header' : 'no bearer token')
  const cached = cache?.get(match[1]!)
  if (cached) return cached
  // A worker session's token verifies under the session key only; every other under the issuer's.
  const session =
    options.workerSessions !== undefined &&
    sessionKey !== undefined &&
    claimedIssuer(match[1]!) === options.workerSessions.issuer
  let payload: unknown
  try {
    ;({ payload } = await jwtVerify(match[1]!, session ? sessionKey : getKey, {
      algorithms: options.algorithms ?? ['EdDSA', 'ES256'],
      issuer: session ? options.workerSessions!.issuer : options.issuer,
      audience: options.audience,
      typ: 'at+jwt',
      requiredClaims: ['exp', 'iat', 'jti', 'sub'],
      maxTokenAge: options.maxTokenAge ?? '1h',
      clockTolerance: options.clockToleranceSeconds ?? 5,
    }))
  } catch (error) {
    if (error instanceof joseErrors.JWTExpired) throw unauthenticated('token expired')
    if (error instanceof joseErrors.JWTClaimValidationFailed)
      throw unauthenticated(`token ${error.claim} is not accepted`)
    if (error instanceof joseErrors.JOSEAlgNotAllowed) throw unauthenticated('token algorithm not allowed')
    if (
      error instanceof joseErrors.JWKSNoMatchingKey ||
      error instanceof joseErrors.JWSSignatureVerificationFailed
    )
      throw unauthenticated('token not signed by a trusted key')
    throw unauthenticated('token not valid')
  }
  const claims = claimsSchema.safeParse(payload)
  if (!claims.success) throw unauthenticated('token claims are incomplete')
  if ((claims.data.role === 'worker') !== session)
    throw unauthenticated(
      session
        ? 'a worker session token names the role worker'
        : 'a worker token is issued only by POST /v1/worker-sessions',
    )
  const principal = principalOf(claims.data, (payload as { iss?: string }).iss)
  const { exp, iat } = payload as { exp: number; iat: number }
  // Reusable until it expires or grows older than maxTokenAge, whichever is first.
  cache?.set(match[1]!, principal, Math.min(exp, iat + ageSeconds(options.maxTokenAge ?? '1h')) * 1000)
  return principal
}

/**
 * Bearer-token authentication and role checks for every route. A route must say, in its
 * `config.auth`, either that it is public or which roles may call it: a route that says
 * neither refuses to register, so no endpoint is open by omission.
 */
export const authPlugin = fp(
  async (app: FastifyInstance, options: AuthOptions) => {
    const getKey = keySource(options.keys)
    const sessionKey = options.workerSessions ? createLocalJWKSet(options.workerSessions.jwks) : undefined
    const verified = new VerifiedTokens()
    app.decorateRequest('principal', undefined)
    const routes: RouteAuthEntry[] = []
    catalogues.set(app, routes)
    app.addHook('onRoute', (route) => {
      const auth = route.config?.auth
      if (!auth && !route.url.startsWith('/documentation') && !route.url.startsWith('/docs'))
        throw new Error(`route ${route.method} ${route.url} declares no config.auth`)
      if (auth)
        for (const method of [route.method].flat())
          routes.push({
            method,
            url: route.url,
            auth,
            ...(route.bodyLimit ? { bodyLimit: route.bodyLimit } : {}),
          })
    })
    app.addHook('onRequest', async (request: FastifyRequest, reply) => {
      const auth = request.routeOptions.config.auth
      if (!auth || 'public' in auth) return
      // Node keeps the first of repeated Authorization headers and drops the rest: a request
      // carrying two is ambiguous about who calls, so it is refused rather than guessed at.
      if (
        request.raw.rawHeaders.filter((h, i) => i % 2 === 0 && h.toLowerCase() === 'authorization').length > 1
      )
        throw new TrecError('TREC_VALIDATION', 'send one Authorization header', {
          issues: [
            { path: ['headers', 'authorization'], code: 'duplicate', message: 'exactly one bearer token' },
          ],
        })
      try {
        request.principal = await authenticate(
          request.headers.authorization,
          getKey,
          options,
          verified,
          sessionKey,
        )
      } catch (error) {
        reply.header(
          'www-authenticate',
          `Bearer error="invalid_token", error_description="${(error as Error).message}"`,
        )
        throw error
      }
      if (!auth.roles.includes(request.principal.role))
        throw new TrecError('TREC_FORBIDDEN', `role ${request.principal.role} may not call this route`, {
          details: { reason: 'role', role: request.principal.role, allowed: auth.roles },
        })
    })
  },
  { name: 'trec-auth', fastify: '5.x' },
)

/** The caller of an authenticated route (throws if the route is public). */
export function principal(request: FastifyRequest): Principal {
  if (!request.principal) throw new TrecError('TREC_UNAUTHENTICATED', 'no principal on this request')
  return request.principal
}
