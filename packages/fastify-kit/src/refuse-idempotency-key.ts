import { TrecError } from '@trec/core'
import type { FastifyRequest } from 'fastify'

/**
 * An `onRequest` hook refusing an `Idempotency-Key`, naming the header, for a POST whose answer
 * must not be stored and replayed: `why` is the problem's detail, `message` the header's issue.
 */
export function refuseIdempotencyKeyFor(why: string, message: string) {
  return async (request: FastifyRequest): Promise<void> => {
    if (request.headers['idempotency-key'] !== undefined)
      throw new TrecError('TREC_VALIDATION', why, {
        issues: [{ path: ['headers', 'idempotency-key'], code: 'not_accepted', message }],
      })
  }
}

/**
 * An `onRequest` hook for a read sent as POST (to keep a card number or a list of ids out of the
 * URL): it is not a command, yet the platform's Idempotency-Key would store its answer (a
 * person's record, a reconciliation) outside the record and replay it without a new access event.
 * Such routes refuse the header instead, naming it.
 */
export const refuseIdempotencyKey = refuseIdempotencyKeyFor(
  'this is a read: send it without an Idempotency-Key',
  'reads are not replayed; every read is logged',
)
