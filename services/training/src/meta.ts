import type { AppendMetadata } from '@trec/contracts'
import { actorOf, type Principal } from '@trec/fastify-kit'

// Envelope metadata of everything this service appends: who (the caller, by role and subject,
// never by name), when it happened, where (the resource's 行政区划代码), and the flow it is part of.

export const source = 'trec.training'

export type Meta = Omit<AppendMetadata, 'id'>

export function metaFor(
  principal: Principal,
  region: string,
  occurredAt: Date | string,
  correlationId?: string,
): Meta {
  return {
    occurredAt: typeof occurredAt === 'string' ? occurredAt : occurredAt.toISOString(),
    actor: actorOf(principal),
    source,
    region,
    ...(correlationId ? { correlationId } : {}),
  }
}
