import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import swagger from '@fastify/swagger'
import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import {
  jsonSchemaTransform,
  jsonSchemaTransformObject,
  serializerCompiler,
  validatorCompiler,
} from 'fastify-type-provider-zod'
import { docsUiPlugin } from './docs-ui.ts'
import { type ErrorStatus, errorAnswers, errorAnswersOf, refusalsKey } from './openapi-errors.ts'
import { namedSchemasOnly } from './openapi-names.ts'
import { problemSchema } from './problem.ts'

const errorsDoc = join(import.meta.dirname, '../../../docs/errors.md')

export interface OpenapiOptions {
  title: string
  version: string
  description?: string
  /** Where the API is served; relative URLs resolve against where the document was fetched. */
  servers?: { url: string; description?: string }[]
  contact?: { name?: string; url?: string; email?: string }
  license?: { name: string; url?: string }
  /** What each tag (one per service) groups, for the document's tag list. */
  tags?: Record<string, string>
}

type Json = Record<string, unknown>

declare module 'fastify' {
  interface FastifyContextConfig {
    /**
     * Refusals the route gives beyond those its method, path and body imply (openapi-errors.ts),
     * e.g. `['404']` for a GET without a path parameter that answers 404 when there is nothing yet.
     */
    refusals?: readonly ErrorStatus[]
  }
}

/** The name the document gives a route's trailing wildcard (`/tile/*` is `/tile/{subpath}`). */
export const wildcardParam = 'subpath'

// Kept so that `problemSchema` is registered (under `Problem`) before the document is built,
// whoever imports this module.
void problemSchema

/** `{ allOf: [{ $ref }] }` (what zod writes for a named schema behind a transform) is the `$ref` itself. */
function bareRef(schema: unknown): unknown {
  const s = schema as Json | undefined
  const all = s?.allOf as Json[] | undefined
  return all?.length === 1 && all[0]?.$ref && Object.keys(s!).length === 1 ? all[0] : schema
}

/** Every `{ allOf: [{ $ref }] }` in the document (zod's optional named schema) as the bare `$ref`. */
function bareRefs(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(bareRefs)
  if (!node || typeof node !== 'object') return node
  const bare = bareRef(node)
  if (bare !== node) return bare
  return Object.fromEntries(Object.entries(node).map(([key, value]) => [key, bareRefs(value)]))
}

/**
 * Per route, after fastify-type-provider-zod has turned its zod schemas into JSON schemas (named
 * ones into `$ref`s to `components.schemas`): the roles the route allows (`x-roles`, from its
 * `config.auth`) and, for a public route, no security requirement.
 */
function transform(input: Parameters<typeof jsonSchemaTransform>[0]) {
  const out = jsonSchemaTransform(input)
  const schema = out.schema as Json | undefined
  if (!schema || schema.hide) return out
  const config = (
    input.route as {
      config?: { auth?: { roles?: readonly string[]; public?: true }; refusals?: readonly ErrorStatus[] }
    }
  ).config
  const auth = config?.auth
  if (auth?.roles) schema['x-roles'] = [...auth.roles]
  // Carried to transformObject, which answers them and drops the key.
  if (config?.refusals) schema[refusalsKey] = [...config.refusals]
  // OpenAPI has no wildcard: fastify's trailing `*` is a named parameter, slashes included.
  let url = out.url
  if (url.endsWith('/*')) {
    url = `${url.slice(0, -1)}{${wildcardParam}}`
    schema.params = {
      type: 'object',
      properties: {
        [wildcardParam]: { type: 'string', description: 'The rest of the path, slashes included.' },
      },
      required: [wildcardParam],
    }
  }
  if (auth?.public) schema.security = []
  if (schema.body) schema.body = bareRef(schema.body)
  const response = schema.response as Json | undefined
  if (response) for (const status of Object.keys(response)) response[status] = bareRef(response[status])
  return { schema, url }
}

const statusText: Record<string, string> = {
  '200': 'OK',
  '201': 'Created: the command was accepted and its events appended',
  '202': 'Accepted',
  '204': 'No content',
}

/**
 * The whole document, once: the named schemas, the standard error answers (each a problem+json
 * `Problem`, with an example) on every operation they apply to, servers, contact and licence.
 */
function transformObject(options: OpenapiOptions) {
  return (input: Parameters<typeof jsonSchemaTransformObject>[0]) => {
    const doc = bareRefs(jsonSchemaTransformObject(input)) as Json
    const components = doc.components as Json
    components.responses = errorAnswers()
    const paths = doc.paths as Record<string, Record<string, Json>>
    const used = new Set<string>()
    for (const operations of Object.values(paths))
      for (const [method, operation] of Object.entries(operations)) {
        const responses = operation.responses as Record<string, Json>
        for (const [status, answer] of Object.entries(responses))
          if (answer.description === 'Default Response') answer.description = statusText[status] ?? 'Answer'
        Object.assign(responses, errorAnswersOf(method, operation))
        delete operation[refusalsKey]
        for (const tag of (operation.tags as string[] | undefined) ?? []) used.add(tag)
      }
    const info = doc.info as Json
    if (options.contact) info.contact = options.contact
    if (options.license) info.license = options.license
    return namedSchemasOnly({
      openapi: doc.openapi,
      info,
      ...(options.servers ? { servers: options.servers } : {}),
      tags: [...used].sort().map((name) => ({
        name,
        ...(options.tags?.[name] ? { description: options.tags[name] } : {}),
      })),
      ...Object.fromEntries(
        Object.entries(doc).filter(([key]) => !['openapi', 'info', 'servers', 'tags'].includes(key)),
      ),
    })
  }
}

/**
 * Zod schemas validate every request and are the source of the OpenAPI document, served as
 * JSON at /docs/json and as a page at /docs (loaded on its first request: docs-ui.ts). A schema
 * registered with `.meta({ id })` is one named component that operations refer to. GET /errors
 * serves the error catalogue that problem+json `type` URIs point into.
 */
export const openapiPlugin = fp(
  async (app: FastifyInstance, options: OpenapiOptions) => {
    app.setValidatorCompiler(validatorCompiler)
    app.setSerializerCompiler(serializerCompiler)
    await app.register(swagger, {
      openapi: {
        openapi: '3.0.3',
        info: { title: options.title, version: options.version, description: options.description ?? '' },
        components: {
          securitySchemes: {
            bearer: {
              type: 'http',
              scheme: 'bearer',
              bearerFormat: 'JWT (at+jwt)',
              description:
                'An access token (RFC 9068) naming the caller’s role, client and scope; `x-roles` on each operation lists the roles it allows.',
            },
          },
        },
        security: [{ bearer: [] }],
      },
      transform,
      transformObject: transformObject(options),
    })
    await app.register(docsUiPlugin, { prefix: '/docs' })
    app.get(
      '/errors',
      { config: { auth: { public: true } }, schema: { hide: true } },
      async (_request, reply) =>
        reply.type('text/markdown; charset=utf-8').send(await readFile(errorsDoc, 'utf8')),
    )
  },
  { name: 'trec-openapi', fastify: '5.x' },
)
