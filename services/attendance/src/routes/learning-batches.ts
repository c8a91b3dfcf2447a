import { check } from '@trec/command'
import { eventIdSchema } from '@trec/contracts'
import { actorOf, type Platform, principal } from '@trec/fastify-kit'
import { z } from 'zod'
import { parseBatch, verifyBatch } from '../batch-signature.ts'
import { emptyClassView } from '../domain/class-view.ts'
import { signerViolations } from '../domain/face-check-batch.ts'
import {
  decideLearningBatch,
  learningBatchSchema,
  type RecordLearningBatch,
} from '../domain/learning-batch.ts'
import { learningEventsForStore } from '../learning-batch-events.ts'
import type { ResolvedOptions } from '../options.ts'
import type { Views } from '../views.ts'
import { appendBatch } from './batch-append.ts'
import { compactJws, forbidden, source } from './common.ts'

// POST /v1/online-learning-batches: an online learning platform, registered to the class as a
// device with its own key, sends its learners' segments and the face checks it took during
// learning as one JWS it signed. Verified once, decided against the class read once, appended in
// one atomic multi-stream append (one part per worker's `attendance-{worker}` stream). Event ids
// come from (platform, batchId, index), so a resent batch writes nothing and answers the same.

const maxBodyBytes = 8 * 1024 * 1024

const body = z
  .strictObject({
    jws: z.string().max(maxBodyBytes).regex(compactJws, 'must be a compact JWS (header.payload.signature)'),
  })
  .meta({ id: 'OnlineLearningBatchRequest' })

const answer = z
  .object({
    batchId: z.string(),
    ids: z.array(eventIdSchema),
    streams: z.array(z.object({ stream: z.string(), revision: z.int() })),
  })
  .meta({
    id: 'OnlineLearningBatchAnswer',
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
    async (request, reply) => {
      const p = principal(request)
      if (p.device === undefined || p.classId === undefined)
        throw forbidden('a device token must name its device and class')
      const { signed, payload } = await verifyBatch(request.body.jws, views)
      const command: RecordLearningBatch = {
        kind: 'RecordLearningBatch',
        caller: { device: p.device, class: p.classId },
        ...signed,
        batch: undefined,
        now: options.clock().getTime(),
        tolerance: options.tolerance,
        maxSkewMs: options.maxSkewMs,
      }
      if (payload !== undefined) {
        try {
          command.batch = parseBatch(payload, learningBatchSchema)
        } catch (invalid) {
          check(...signerViolations(command))
          throw invalid
        }
      }
      const batch = command.batch
      const sameClass = batch !== undefined && batch.class === signed.signer.registration?.class
      const classView = sameClass ? (await views.classes.get(batch.class)).view : emptyClassView()
      const events = decideLearningBatch(command, classView)
      const { device, batchId } = batch!
      const envelope = {
        device,
        batchId,
        actor: actorOf(p, signed.signer.registration!.institution),
        region: classView.region!,
        source,
      }
      return reply.code(201).send(await appendBatch(options.store, events, envelope, learningEventsForStore))
    },
  )
}
