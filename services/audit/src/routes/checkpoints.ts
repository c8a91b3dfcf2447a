import type { Platform } from '@trec/fastify-kit'
import { z } from 'zod'
import type { ResolvedAuditOptions } from '../options.ts'
import { checkpointView, findCheckpoint, proofReaders, sizeSchema, viewOf } from './common.ts'

export function checkpointRoutes(app: Platform, o: ResolvedAuditOptions): void {
  app.get(
    '/v1/audit/checkpoints/latest',
    {
      config: { auth: { roles: proofReaders }, refusals: ['404'] },
      schema: {
        summary: 'The newest signed checkpoint',
        operationId: 'getLatestCheckpoint',
        description:
          'An auditor or an investigator reads the newest checkpoint the log signed: its size and root hash, as a signed note and a JWS. ' +
          'Proofs without a `size` are made against it. 404 while the log has signed none. ' +
          'The signed note is followed by the cosignature lines of the witnesses that cosigned it; where the ' +
          'deployment requires k witness cosignatures, this is the newest checkpoint that k witnesses cosigned.',
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
        operationId: 'getCheckpoint',
        description:
          'An auditor or an investigator reads the newest checkpoint the log signed for a tree of `size` events (to compare with one they hold). ' +
          '404 when no checkpoint of that size was signed.',
        tags: ['audit'],
        params: z.strictObject({ size: sizeSchema }),
        response: { 200: checkpointView },
      },
    },
    async (request) => viewOf(await findCheckpoint(o, request.params.size)),
  )
}
