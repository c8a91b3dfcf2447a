import type { Platform } from '@trec/fastify-kit'
import { parseBatch } from '../batch-signature.ts'
import { cardTapEventsForStore } from '../card-tap-events.ts'
import { cardTapBatchSchema, decideCardTapBatch, type RecordCardTapBatch } from '../domain/card-tap-batch.ts'
import type { ResolvedOptions } from '../options.ts'
import type { Views } from '../views.ts'
import { recordSignedBatch, signedBatchSchemas } from './batch-append.ts'

// POST /v1/card-tap-batches (持卡参训): a card reader, registered to the class as a device with its
// own key, sends the 签到/签退 taps it read as one JWS it signed. Verified once, decided against
// the class read once, appended in one atomic multi-stream append. Event ids come from (reader,
// batchId, index), so a resent batch writes nothing and answers the same.

const maxBodyBytes = 1024 * 1024

const { body, answer } = signedBatchSchemas('CardTapBatch', maxBodyBytes, {
  description: 'The batch id, the events appended (one per tap) and each stream’s revision after them.',
  example: {
    batchId: 'taps-01936f4e',
    ids: ['01936f4e-7c1a-7b3e-9d2f-5a6b7c8d9e0f'],
    streams: [{ stream: 'attendance-w-5f2a9c', revision: 3 }],
  },
})

export function cardTapBatchRoutes(app: Platform, options: ResolvedOptions, views: Views): void {
  app.post(
    '/v1/card-tap-batches',
    {
      bodyLimit: maxBodyBytes,
      config: { auth: { roles: ['device'] } },
      schema: {
        summary: 'Record a signed batch of card taps (all or nothing)',
        operationId: 'recordCardTapBatch',
        description:
          'A card reader registered to the class as a device sends the 签到 and 签退 taps it read (持卡参训), as one compact JWS signed with its key; every tap is recorded or none is. A tap carries the worker’s pseudonym as the reader resolved it from the card, never the card number. Bodies up to 1 MiB.',
        tags: ['attendance'],
        body,
        response: { 201: answer },
      },
    },
    async (request, reply) =>
      reply.code(201).send(
        await recordSignedBatch(request, options, views, {
          command: (base): RecordCardTapBatch => ({ kind: 'RecordCardTapBatch', ...base }),
          parse: (payload) => parseBatch(payload, cardTapBatchSchema),
          decide: decideCardTapBatch,
          encode: cardTapEventsForStore,
        }),
      ),
  )
}
