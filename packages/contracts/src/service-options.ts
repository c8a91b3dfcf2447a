import { TrecError } from '@trec/core'
import type { z } from 'zod'
import { toIssues } from './issues.ts'

/**
 * How every service checks the options it is built with: against its zod schema, once. The
 * parsed options, or TREC_VALIDATION whose message names each wrong option and what it should be
 * (`invalid training service options: keyRing: must be a KeyRing; …`) and whose issues carry the
 * same, each path from the options' root.
 */
export function parseServiceOptions<S extends z.ZodType>(
  schema: S,
  input: unknown,
  service: string,
): z.output<S> {
  const parsed = schema.safeParse(input)
  if (parsed.success) return parsed.data
  const issues = toIssues(parsed.error.issues)
  const named = issues.map((i) => `${i.path.length === 0 ? 'options' : i.path.join('.')}: ${i.message}`)
  throw new TrecError('TREC_VALIDATION', `invalid ${service} options: ${named.join('; ')}`, { issues })
}
