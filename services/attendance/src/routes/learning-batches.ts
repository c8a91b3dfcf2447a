import type { Platform } from '@trec/fastify-kit'
import { parseBatch } from '../batch-signature.ts'
import { maxChecksPerBatch } from '../domain/batch-payload.ts'
import { wellFormedLearningBatch } from '../domain/batch-shape.ts'
import {
  decideLearningBatch,
  learningBatchSchema,
  maxSegmentsPerBatch,
  type RecordLearningBatch,
} from '../domain/learning-batch.ts'
import { learningEventsForStore } from '../learning-batch-events.ts'
import type { ResolvedOptions } from '../options.ts'
import type { Views } from '../views.ts'
import { recordSignedBatch, signedBatchSchemas } from './batch-append.ts'

// POST /v1/online-learning-batches: an online learning platform, registered to the class as a
// device with its own key, sends its learners' segments and the face checks it took during
// learning as one JWS it signed. Verified once, decided against the class read once, appended in
// one atomic multi-stream append (one part per worker's `attendance-{worker}` stream). Event ids
// come from (platform, batchId, index), so a resent batch writes nothing and answers the same.

const maxBodyBytes = 8 * 1024 * 1024

const { body, answer } = signedBatchSchemas('OnlineLearningBatch', maxBodyBytes, {
  description:
    'The batch id, the events appended (its face checks, then its segments) and each stream’s revision after them.',
  example: {
    batchId: 'learn-01936f4e',
    ids: ['01936f4e-7c1a-7b3e-9d2f-5a6b7c8d9e0f'],
    streams: [{ stream: 'attendance-w-5f2a9c', revision: 4 }],
  },
})

export function learningBatchRoutes(app: Platform, options: ResolvedOptions, views: Views): void {
  app.post(
    '/v1/online-learning-batches',
    {
      bodyLimit: maxBodyBytes,
      config: { auth: { roles: ['device'] } },
      schema: {
        summary: 'Record a signed batch of online learning (all or nothing)',
        operationId: 'recordOnlineLearningBatch',
        description:
          'A learning platform registered to the class as a device sends, as one compact JWS signed with its key, its learners’ segments (start, end, content, progress, playback rate, interactions) and the face checks it took at random during learning; everything is recorded or nothing is. Segments of one worker may not overlap within a batch, and nothing may end in the future. Bodies up to 8 MiB.',
        tags: ['attendance'],
        body,
        response: { 201: answer },
      },
    },
    async (request, reply) =>
      reply.code(201).send(
        await recordSignedBatch(request, options, views, {
          command: (base): RecordLearningBatch => ({ kind: 'RecordLearningBatch', ...base }),
          parse: (payload) =>
            parseBatch(payload, learningBatchSchema, (json) =>
              wellFormedLearningBatch(json, {
                maxSegments: maxSegmentsPerBatch,
                maxChecks: maxChecksPerBatch,
              }),
            ),
          decide: decideLearningBatch,
          encode: learningEventsForStore,
        }),
      ),
  )
}
