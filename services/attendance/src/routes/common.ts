import type { Actor } from '@trec/contracts'
import { commandAnswerSchema, entityIdSchema } from '@trec/contracts'
import { TrecError } from '@trec/core'
import { type Principal, actorOf as tokenActor } from '@trec/fastify-kit'
import { z } from 'zod'

// What every route of the service shares: the source name on its events, the actor built from
// the caller's token, and the shape of a command's answer.

export const source = 'trec.attendance'

/** The caller as actor; a device acts for the institution its registration names. */
export function actorOf(p: Principal, institution = p.institution): Actor {
  return { ...tokenActor(p), ...(institution === undefined ? {} : { institution }) }
}

export function forbidden(reason: string, details: Record<string, unknown> = {}): TrecError {
  return new TrecError('TREC_FORBIDDEN', reason, { details: { reason, ...details } })
}

/** `201 { ids, revision }`: the events appended and the stream's revision after them. */
export const commandAnswer = commandAnswerSchema

export const deviceParams = z.strictObject({ device: entityIdSchema })
