import { check } from '@trec/command'
import { eventIdSchema } from '@trec/contracts'
import { actorOf, type Platform, principal } from '@trec/fastify-kit'
import { z } from 'zod'
import { parseBatch, verifyBatch } from '../batch-signature.ts'
import { emptyClassView } from '../domain/class-view.ts'
import {
  decideFaceCheckBatch,
  type RecordFaceCheckBatch,
  signerViolations,
} from '../domain/face-check-batch.ts'
import { faceCheckEventsForStore } from '../face-check-events.ts'
import type { ResolvedOptions } from '../options.ts'
import type { Views } from '../views.ts'
import { appendBatch } from './batch-append.ts'
import { compactJws, forbidden, source } from './common.ts'

// POST /v1/face-check-batches: a device sends the checks it took, as one JWS it signed. The
// batch is verified once, decided against the class read once, and appended in one atomic
// multi-stream append (`handleMultiStreamCommand`), one part per worker's `attendance-{worker}`
// stream. Event ids come from (device, batchId, index), so a resent batch writes nothing and
// answers the same.

const maxBodyBytes = 4 * 1024 * 1024

const body = z
  .strictObject({
    jws: z.string().max(maxBodyBytes).regex(compactJws, 'must be a compact JWS (header.payload.signature)'),
  })
  .meta({ id: 'FaceCheckBatchRequest' })

const answer = z
  .object({
    batchId: z.string(),
    ids: z.array(eventIdSchema),
    streams: z.array(z.object({ stream: z.string(), revision: z.int() })),
  })
  .meta({
    id: 'FaceCheckBatchAnswer',
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
    async (request, reply) => {
      const p = principal(request)
      if (p.device === undefined || p.classId === undefined)
        throw forbidden('a device token must name its device and class')
      const { signed, payload } = await verifyBatch(request.body.jws, views)
      const command: RecordFaceCheckBatch = {
        kind: 'RecordFaceCheckBatch',
        caller: { device: p.device, class: p.classId },
        ...signed,
        now: options.clock().getTime(),
        tolerance: options.tolerance,
        maxSkewMs: options.maxSkewMs,
      }
      if (payload !== undefined) {
        try {
          command.batch = parseBatch(payload)
        } catch (invalid) {
          // A revoked or foreign signer is refused as such (422) before its payload's shape (400).
          check(...signerViolations(command))
          throw invalid
        }
      }
      const batch = command.batch
      // The class is read only for a batch that names the signer's own class; any other is refused unread.
      const sameClass = batch !== undefined && batch.class === signed.signer.registration?.class
      const classView = sameClass ? (await views.classes.get(batch.class)).view : emptyClassView()
      const events = decideFaceCheckBatch(command, classView)
      // The decider refused anything without a verified batch and a registered, opened class.
      const { device, batchId } = batch!
      const envelope = {
        device,
        batchId,
        actor: actorOf(p, signed.signer.registration!.institution),
        region: classView.region!,
        source,
      }
      return reply.code(201).send(await appendBatch(options.store, events, envelope, faceCheckEventsForStore))
    },
  )
}
