import type { Actor } from '@trec/contracts'
import { TrecError } from '@trec/core'
import type { Principal } from '@trec/fastify-kit'
import { z } from 'zod'

// What the routes share: the source on the events they append, the actor from the token, and
// region scoping. An investigator's token may name a region (a 行政区划代码 prefix); then they see
// and act on that region only. Without one they are provincial (or national) supervision.

export const source = 'trec.oversight'

export function actorOf(p: Principal): Actor {
  return { kind: p.role, id: p.subject }
}

export function forbidden(reason: string, details: Record<string, unknown> = {}): TrecError {
  return new TrecError('TREC_FORBIDDEN', reason, { details: { reason, ...details } })
}

export function notFound(what: string, details: Record<string, unknown> = {}): TrecError {
  return new TrecError('TREC_NOT_FOUND', `no such ${what}`, { details: { reason: what, ...details } })
}

export function inScope(p: Principal, region: string): boolean {
  return p.region === undefined || region.startsWith(p.region)
}

export function assertScope(p: Principal, region: string): void {
  if (!inScope(p, region)) throw forbidden('another region', { region: p.region })
}

/** The 行政区划代码 prefix a code stands for: 130000 → 13, 130100 → 1301, 130102 → 130102. */
export function regionPrefix(code: string): string {
  if (code.endsWith('0000')) return code.slice(0, 2)
  if (code.endsWith('00')) return code.slice(0, 4)
  return code
}

/** `201 { ids, revision }`: the events appended and the stream's revision after them. */
export const commandAnswer = z.object({ ids: z.array(z.string()), revision: z.int() })
