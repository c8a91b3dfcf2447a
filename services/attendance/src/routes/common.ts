import { commandAnswerSchema, entityIdSchema } from '@trec/contracts'
import { TrecError } from '@trec/core'
import { z } from 'zod'

// What every route of the service shares: the source name on its events and the shape of a
// command's answer (the actor is `actorOf` of @trec/fastify-kit).

export const source = 'trec.attendance'

export function forbidden(reason: string, details: Record<string, unknown> = {}): TrecError {
  return new TrecError('TREC_FORBIDDEN', reason, { details: { reason, ...details } })
}

/** `201 { ids, revision }`: the events appended and the stream's revision after them. */
export const commandAnswer = commandAnswerSchema

export const deviceParams = z.strictObject({ device: entityIdSchema })

/** Compact JWS serialisation (RFC 7515 §7.1): three base64url parts; the signature may be empty (`alg: none`). */
export const compactJws = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/
