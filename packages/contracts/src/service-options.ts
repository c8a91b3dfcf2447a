import { TrecError } from '@trec/core'
import { z } from 'zod'
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

/**
 * An option that must be an object with each of these methods: an event store, a SQL executor,
 * a key ring. Only the methods the service calls are checked, so a test can hand it a double.
 * `what` names the kind in the refusal (`store: must be an EventStore`).
 */
export function objectWith<T>(what: string, ...methods: string[]): z.ZodCustom<T, T> {
  return z.custom<T>(
    (v) =>
      (typeof v === 'object' || typeof v === 'function') &&
      v !== null &&
      methods.every((m) => typeof (v as Record<string, unknown>)[m] === 'function'),
    `must be ${what}`,
  )
}

/** The optional `clock` option every service takes (default: the system clock). */
export const clockOption = () =>
  z.custom<() => Date>((c) => typeof c === 'function', 'must be a function returning a Date').optional()
