import { TrecError } from '@trec/core'
import type { Principal } from '@trec/fastify-kit'
import { regionPrefix } from '@trec/readmodels'
import type { FastifyRequest } from 'fastify'
import { z } from 'zod'

// Officers and finance act inside their 行政区划代码 prefix (docs/architecture.md, "Access"); auditors and
// investigators see the whole province. A region-bound caller who names no region gets theirs.

const boundRoles = new Set(['subsidy_officer', 'finance', 'reviewer', 'assessor'])

export const regionQuery = z
  .string()
  .regex(/^\d{2}(\d{2}){0,2}$|^\d{6}$/, 'a 行政区划代码 or a prefix of 2, 4 or 6 digits')

/** The region prefix a request may see: the one asked for, inside the caller's own if bound. */
export function regionScope(p: Principal, requested: string | undefined): string | undefined {
  const asked = requested === undefined ? undefined : regionPrefix(requested)
  if (!boundRoles.has(p.role)) return asked
  if (!p.region)
    throw new TrecError('TREC_FORBIDDEN', 'the token names no region', {
      details: { reason: 'no region in token' },
    })
  if (asked === undefined) return p.region
  if (!asked.startsWith(p.region))
    throw new TrecError('TREC_FORBIDDEN', 'another region', {
      details: { reason: 'another region', region: asked },
    })
  return asked
}

/** A read that is not a command refuses Idempotency-Key (its answer would be stored and replayed). */
export async function refuseIdempotencyKey(request: FastifyRequest): Promise<void> {
  if (request.headers['idempotency-key'] !== undefined)
    throw new TrecError('TREC_VALIDATION', 'this is a read: send it without an Idempotency-Key', {
      issues: [
        { path: ['headers', 'idempotency-key'], code: 'not_accepted', message: 'reads are not replayed' },
      ],
    })
}
