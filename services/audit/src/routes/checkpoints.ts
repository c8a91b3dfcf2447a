import type { Platform } from '@trec/fastify-kit'
import { z } from 'zod'
import type { ResolvedAuditOptions } from '../options.ts'
import { checkpointView, findCheckpoint, proofReaders, sizeSchema, viewOf } from './common.ts'

export function checkpointRoutes(app: Platform, o: ResolvedAuditOptions): void {
  app.get(
    '/v1/audit/checkpoints/latest',
    {
      config: { auth: { roles: proofReaders } },
      schema: {
        summary: 'The newest signed checkpoint',
        tags: ['audit'],
        response: { 200: checkpointView },
      },
    },
    async () => viewOf(await findCheckpoint(o)),
  )
  app.get(
    '/v1/audit/checkpoints/:size',
    {
      config: { auth: { roles: proofReaders } },
      schema: {
        summary: 'The newest signed checkpoint of a tree size',
        tags: ['audit'],
        params: z.strictObject({ size: sizeSchema }),
        response: { 200: checkpointView },
      },
    },
    async (request) => viewOf(await findCheckpoint(o, request.params.size)),
  )
}
