import { TrecError } from '@trec/core'
import type { FastifyRequest } from 'fastify'

/**
 * A read sent as POST (to keep the card number out of the URL) is not a command: the platform's
 * Idempotency-Key would store the answer, a person's record, outside the record and replay it
 * without a new access event. Such routes refuse the header.
 */
export async function refuseIdempotencyKey(request: FastifyRequest): Promise<void> {
  if (request.headers['idempotency-key'] !== undefined)
    throw new TrecError('TREC_VALIDATION', 'this is a read: send it without an Idempotency-Key', {
      issues: [
        {
          path: ['headers', 'idempotency-key'],
          code: 'not_accepted',
          message: 'reads are not replayed; every read is logged',
        },
      ],
    })
}
