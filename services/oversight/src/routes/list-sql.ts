import { TrecError } from '@trec/core'
import { z } from 'zod'

// What the oversight lists share: a `region` filter as a 行政区划代码 prefix, and the refusal of an
// institution list to a token without one. Their where clauses: @trec/fastify-kit's sqlWhere.

/** A 行政区划代码 prefix of 2, 4 or 6 digits (intersected with the token's region). */
export const regionPrefixQuery = z
  .string()
  .regex(/^\d{2}(\d{2}){0,2}$/, 'a 行政区划代码 prefix of 2, 4 or 6 digits')

export const forbiddenInstitution = () =>
  new TrecError('TREC_FORBIDDEN', 'the token names no institution', {
    details: { reason: 'the token names no institution' },
  })
