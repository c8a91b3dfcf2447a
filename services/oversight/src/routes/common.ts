import { TrecError } from '@trec/core'

// What the routes share: the source on the events they append, the actor from the token, and
// region scoping. An investigator's token may name a region (a 行政区划代码 prefix); then they see
// and act on that region only. Without one they are provincial (or national) supervision.

export const source = 'trec.oversight'

export { actorOf } from '@trec/fastify-kit'

export function notFound(what: string, details: Record<string, unknown> = {}): TrecError {
  return new TrecError('TREC_NOT_FOUND', `no such ${what}`, { details: { reason: what, ...details } })
}

export { regionPrefix } from '@trec/contracts'
export { assertRegion as assertScope, inRegionScope as inScope } from '@trec/fastify-kit'
