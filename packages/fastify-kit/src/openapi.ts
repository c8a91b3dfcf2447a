import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import swagger from '@fastify/swagger'
import swaggerUi from '@fastify/swagger-ui'
import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import { jsonSchemaTransform, serializerCompiler, validatorCompiler } from 'fastify-type-provider-zod'

const errorsDoc = join(import.meta.dirname, '../../../docs/errors.md')

/**
 * Zod schemas validate every request and are the source of the OpenAPI document, served as
 * JSON at /docs/json and as a page at /docs. GET /errors serves the error catalogue that
 * problem+json `type` URIs point into.
 */
export const openapiPlugin = fp(
  async (app: FastifyInstance, options: { title: string; version: string; description?: string }) => {
    app.setValidatorCompiler(validatorCompiler)
    app.setSerializerCompiler(serializerCompiler)
    await app.register(swagger, {
      openapi: {
        info: { title: options.title, version: options.version, description: options.description ?? '' },
        components: {
          securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT (at+jwt)' } },
        },
        security: [{ bearer: [] }],
      },
      transform: jsonSchemaTransform,
    })
    await app.register(swaggerUi, { routePrefix: '/docs' })
    app.get(
      '/errors',
      { config: { auth: { public: true } }, schema: { hide: true } },
      async (_request, reply) =>
        reply.type('text/markdown; charset=utf-8').send(await readFile(errorsDoc, 'utf8')),
    )
  },
  { name: 'trec-openapi', fastify: '5.x' },
)
