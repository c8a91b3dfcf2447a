import { assertRegion, assertRegionNamed, type Principal } from '@trec/fastify-kit'
import { regionPrefix } from '@trec/readmodels'
import { z } from 'zod'

// A region-bound caller who names no region gets theirs; what may be reached is decided by the
// one scope rule of @trec/fastify-kit (`inRegionScope`).

export const regionQuery = z
  .string()
  .regex(/^\d{2}(\d{2}){0,2}$|^\d{6}$/, 'a 行政区划代码 or a prefix of 2, 4 or 6 digits')

/** The region prefix a request may see: the one asked for, inside the caller's own if bound. */
export function regionScope(p: Principal, requested: string | undefined): string | undefined {
  const asked = requested === undefined ? undefined : regionPrefix(requested)
  assertRegionNamed(p)
  if (asked !== undefined) assertRegion(p, asked)
  return asked ?? p.region
}
