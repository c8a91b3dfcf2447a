import type { Platform, Role } from '@trec/fastify-kit'
import { type RouteAuthEntry, roles, routeCatalogue, wildcardParam } from '@trec/fastify-kit'
import type { JsonSchema } from './invalid-bodies.ts'

// Every route of the composed app, from its OpenAPI document, with the roles the route
// declared when it was registered (the platform's route catalogue).

export interface Route {
  method: 'GET' | 'POST'
  /** As the OpenAPI document writes it: `/v1/classes/{class}`. */
  path: string
  roles: readonly Role[]
  params: string[]
  body?: JsonSchema
  bodyLimit: number
  /** `POST /v1/classes/{class}`, for messages. */
  name: string
}

/**
 * Documented routes that are public on purpose: the audit log's public keys, its checkpoint and
 * tiles, and a worker's sign-in (its credential is the signed attestation in the body).
 */
const publicByDesign = new Set([
  'POST /v1/worker-sessions',
  'GET /v1/audit/keys.jwks',
  'GET /v1/audit/keys.note',
  'GET /v1/audit/tlog/checkpoint',
  'GET /v1/audit/tlog/tile/{subpath}',
])

/** The route's URL as fastify registered it: `{name}` is `:name`, and a trailing `{subpath}` the wildcard `*`. */
const fastifyUrl = (path: string) =>
  path.replace(new RegExp(`\\{${wildcardParam}\\}$`), '*').replace(/\{([^}]+)\}/g, ':$1')

export function routesOf(app: Platform, doc: JsonSchema, defaultBodyLimit = 1024 * 1024): Route[] {
  const catalogue = routeCatalogue(app)
  const declared = (method: string, path: string): RouteAuthEntry | undefined =>
    catalogue.find((r) => r.method === method && r.url === fastifyUrl(path))
  const out: Route[] = []
  for (const [path, operations] of Object.entries(doc.paths as Record<string, Record<string, JsonSchema>>))
    for (const [verb, operation] of Object.entries(operations)) {
      const method = verb.toUpperCase() as Route['method']
      const entry = declared(method, path)
      const name = `${method} ${path}`
      if (!entry) throw new Error(`${name} is in the OpenAPI document but not in the route catalogue`)
      if ('public' in entry.auth) {
        if (publicByDesign.has(name)) continue
        throw new Error(`${name} is public but documented`)
      }
      out.push({
        method,
        path,
        roles: entry.auth.roles,
        params: ((operation.parameters ?? []) as JsonSchema[])
          .filter((p) => p.in === 'path')
          .map((p) => p.name),
        // A body sent as something else (a CSV file) has its own examples (nonJsonBodies).
        ...(operation.requestBody?.content['application/json']
          ? { body: operation.requestBody.content['application/json'].schema }
          : {}),
        bodyLimit: entry.bodyLimit ?? defaultBodyLimit,
        name,
      })
    }
  return out
}

/** The routes the app registered with roles (not public ones, not HEAD twins of GETs). */
export function catalogued(app: Platform): string[] {
  return routeCatalogue(app)
    .filter((r) => 'roles' in r.auth && r.method !== 'HEAD')
    .map((r) => `${r.method} ${r.url.replace(/:([A-Za-z0-9_]+)/g, '{$1}')}`)
}

export const otherRoles = (route: Route): Role[] => roles.filter((r) => !route.roles.includes(r))

/** Fills a documented path with values. */
export function urlOf(route: Route, values: Record<string, string>): string {
  return route.path.replace(/\{([^}]+)\}/g, (_, name: string) => {
    const value = values[name]
    if (value === undefined) throw new Error(`no value for path parameter ${name} of ${route.name}`)
    return encodeURIComponent(value)
  })
}
