import type { Platform } from '@trec/fastify-kit'
import { parseBatch } from '../batch-signature.ts'
import { faceCheckBatchSchema, maxChecksPerBatch } from '../domain/batch-payload.ts'
import { wellFormedFaceCheckBatch } from '../domain/batch-shape.ts'
import { decideFaceCheckBatch, type RecordFaceCheckBatch } from '../domain/face-check-batch.ts'
import { faceCheckEventsForStore } from '../face-check-events.ts'
import type { ResolvedOptions } from '../options.ts'
import type { Views } from '../views.ts'
import { recordSignedBatch, signedBatchSchemas } from './batch-append.ts'

// POST /v1/face-check-batches: a device sends the checks it took, as one JWS it signed. The
// batch is verified once, decided against the class read once, and appended in one atomic
// multi-stream append (`handleMultiStreamCommand`), one part per worker's `attendance-{worker}`
// stream. Event ids come from (device, batchId, index), so a resent batch writes nothing and
// answers the same.

const maxBodyBytes = 4 * 1024 * 1024

const { body, answer } = signedBatchSchemas('FaceCheckBatch', maxBodyBytes, {
  description:
    'The batch id, the events appended (one per face check) and each stream’s revision after them.',
  example: {
    batchId: 'batch-01936f4e',
    ids: ['01936f4e-7c1a-7b3e-9d2f-5a6b7c8d9e0f'],
    streams: [{ stream: 'attendance-cls-01936f4e', revision: 12 }],
  },
})

export function faceCheckBatchRoutes(app: Platform, options: ResolvedOptions, views: Views): void {
  app.post(
    '/v1/face-check-batches',
    {
      bodyLimit: maxBodyBytes,
      config: { auth: { roles: ['device'] } },
      schema: {
        summary: 'Record a signed batch of face checks (all or nothing)',
        operationId: 'recordFaceCheckBatch',
        description:
          'A registered, unrevoked device sends a batch of face checks as one compact JWS signed with its key; every check is recorded or none is. Bodies up to 4 MiB.',
        tags: ['attendance'],
        body,
        response: { 201: answer },
      },
    },
    async (request, reply) =>
      reply.code(201).send(
        await recordSignedBatch(request, options, views, {
          command: (base): RecordFaceCheckBatch => ({ kind: 'RecordFaceCheckBatch', ...base }),
          parse: (payload) =>
            parseBatch(payload, faceCheckBatchSchema, (json) =>
              wellFormedFaceCheckBatch(json, maxChecksPerBatch),
            ),
          decide: decideFaceCheckBatch,
          encode: faceCheckEventsForStore,
        }),
      ),
  )
}
