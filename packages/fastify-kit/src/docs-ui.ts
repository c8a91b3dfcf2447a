import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import Fastify from 'fastify'
import fp from 'fastify-plugin'

// Headers of the page's answer that describe its transport, not its content: this reply sets
// its own.
const transportHeaders = new Set(['content-length', 'connection', 'keep-alive', 'transfer-encoding', 'date'])

/**
 * The API document at `${prefix}/json` (and `/yaml`) and the Swagger UI page at `prefix`, as
 * @fastify/swagger-ui serves them, with the page loaded only when it is first asked for. Loading
 * @fastify/swagger-ui (with @fastify/static and what that requires) was about a tenth of a
 * restart's CPU (BENCHMARKS.md, restart to ready); a restart does not wait for it now. Fastify
 * takes no route once it is ready, so the page runs in a small fastify instance of its own,
 * built on the first request, which `prefix` and `${prefix}/*` hand each request to: what it
 * answers (status, headers, body) is what the page answered before. What it does not serve (a
 * missing asset) is this app's own 404, as before. The document comes from this app's
 * `swagger()`, built by @fastify/swagger on its first call, as before.
 */
export const docsUiPlugin = fp(
  async (app: FastifyInstance, options: { prefix: string }) => {
    const { prefix } = options
    let loading: Promise<FastifyInstance> | undefined
    const page = () => {
      loading ??= loadPage(app, prefix).catch((error: unknown) => {
        // A failed load is tried again on the next request rather than remembered.
        loading = undefined
        throw error
      })
      return loading
    }
    const hidden = { schema: { hide: true } }
    app.get(`${prefix}/json`, hidden, async () => app.swagger())
    app.get(`${prefix}/yaml`, hidden, async (_request, reply) =>
      reply.type('application/x-yaml').send(app.swagger({ yaml: true })),
    )
    const handOver = async (request: FastifyRequest, reply: FastifyReply) => {
      const answer = await (await page()).inject({
        method: request.method as 'GET' | 'HEAD',
        url: request.url,
        headers: request.headers,
      })
      if (answer.statusCode === 404) return reply.callNotFound()
      for (const [name, value] of Object.entries(answer.headers))
        if (value !== undefined && !transportHeaders.has(name)) reply.header(name, value)
      return reply.code(answer.statusCode).send(answer.rawPayload)
    }
    app.get(prefix, hidden, handOver)
    app.get(`${prefix}/*`, hidden, handOver)
    app.addHook('onClose', async () => {
      const loaded = loading && (await loading.catch(() => undefined))
      await loaded?.close()
    })
  },
  { name: 'trec-docs-ui', fastify: '5.x', dependencies: ['@fastify/swagger'] },
)

/** The Swagger UI page in a fastify instance of its own, on `app`'s document. */
async function loadPage(app: FastifyInstance, prefix: string): Promise<FastifyInstance> {
  const { default: swaggerUi } = await import('@fastify/swagger-ui')
  const ui = Fastify()
  // @fastify/swagger-ui asks for @fastify/swagger by name and reads the document from
  // `swagger()`: here that is the app's.
  await ui.register(
    fp(
      async (instance: FastifyInstance) => {
        instance.decorate('swagger', app.swagger.bind(app))
      },
      { name: '@fastify/swagger' },
    ),
  )
  await ui.register(swaggerUi, { routePrefix: prefix })
  await ui.ready()
  return ui
}
