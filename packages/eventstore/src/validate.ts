import { type Issue, looksLikeCardNumber, TrecError, uuidPattern } from '@trec/core'
import type { EventToAppend, ExpectedRevision } from './types.ts'

export interface Limits {
  /** Largest serialised event (data + metadata) in bytes. */
  maxEventBytes: number
  /** Most events in one append. */
  maxEventsPerAppend: number
}

export const defaultLimits: Limits = { maxEventBytes: 1024 * 1024, maxEventsPerAppend: 10_000 }

// `category-id`: the category names the owning context's stream family (docs/architecture.md,
// "Streams"); the id is an institution/class id or a worker pseudonym. `$` is reserved by
// KurrentDB for system streams, so it is refused everywhere to keep the adapters alike.
const streamPattern = /^[a-z][a-z0-9_]{0,39}-[A-Za-z0-9][A-Za-z0-9_.:-]{0,127}$/
const typePattern = /^[A-Za-z][A-Za-z0-9_.:-]{0,127}$/

export function categoryOf(stream: string): string {
  return stream.slice(0, stream.indexOf('-'))
}

export function assertStreamName(stream: unknown): asserts stream is string {
  const issues: Issue[] = []
  if (typeof stream !== 'string')
    issues.push({ path: ['stream'], code: 'not_string', message: 'must be a string' })
  else if (!streamPattern.test(stream))
    issues.push({
      path: ['stream'],
      code: 'invalid_format',
      message: 'must be `category-id`: category [a-z][a-z0-9_]{0,39}, id [A-Za-z0-9][A-Za-z0-9_.:-]{0,127}',
    })
  // A card number in a stream name would leak into every log, Kafka key and URL that names
  // the stream (docs/architecture.md, "Identity and personal data"). The message never echoes it.
  else if (looksLikeCardNumber(stream))
    issues.push({
      path: ['stream'],
      code: 'contains_card_number',
      message: 'contains a citizen ID number; use the worker pseudonym',
    })
  if (issues.length > 0) throw new TrecError('TREC_INVALID_STREAM_NAME', 'invalid stream name', { issues })
}

export function assertExpectedRevision(expected: unknown): asserts expected is ExpectedRevision {
  if (expected === 'any' || expected === 'no_stream') return
  if (typeof expected === 'number' && Number.isSafeInteger(expected) && expected >= 0) return
  throw new TrecError('TREC_VALIDATION', 'invalid expected revision', {
    issues: [
      {
        path: ['expectedRevision'],
        code: 'invalid_value',
        message: "must be 'any', 'no_stream' or an integer ≥ 0",
      },
    ],
  })
}

/**
 * One walk over a payload: it must be a plain JSON object (no undefined, functions, bigints,
 * non-finite numbers, class instances or cycles: JSON.stringify would silently drop or change
 * them, and the stored history would differ from what was decided on), and its text must be
 * storable by every adapter (no U+0000, which PostgreSQL cannot hold; no lone surrogates).
 */
function payloadIssues(root: unknown, rootPath: (string | number)[]): Issue[] {
  if (typeof root !== 'object' || root === null || Array.isArray(root))
    return [{ path: rootPath, code: 'not_object', message: 'must be a JSON object' }]
  const issues: Issue[] = []
  const seen = new Set<object>()
  // One path, pushed and popped on the way down; copied only for an issue (most payloads have none).
  const path: (string | number)[] = [...rootPath]
  const issue = (code: string, message: string) => issues.push({ path: [...path], code, message })
  const text = (value: string) => {
    if (value.includes('\u0000')) issue('nul_character', 'text must not contain U+0000')
    else if (!value.isWellFormed()) issue('lone_surrogate', 'text must be well-formed Unicode')
  }
  const visit = (value: unknown): void => {
    switch (typeof value) {
      case 'string':
        text(value)
        return
      case 'boolean':
        return
      case 'number':
        if (!Number.isFinite(value)) issue('not_finite', 'number must be finite')
        return
      case 'object':
        break
      default:
        issue('not_json', `${typeof value} is not a JSON value`)
        return
    }
    if (value === null) return
    if (seen.has(value)) {
      issue('cycle', 'value refers to itself')
      return
    }
    seen.add(value)
    if (Array.isArray(value)) {
      for (let i = 0; i < value.length; i++) {
        path.push(i)
        visit(value[i])
        path.pop()
      }
    } else {
      const proto = Object.getPrototypeOf(value)
      if (proto !== Object.prototype && proto !== null)
        issue('not_plain_object', 'only plain objects are JSON')
      else
        for (const key in value) {
          path.push(key)
          text(key)
          visit((value as Record<string, unknown>)[key])
          path.pop()
        }
    }
    seen.delete(value)
  }
  visit(root)
  return issues
}

/** An append's events, checked and serialised once, as the adapters send them. */
export interface PreparedEvents {
  ids: string[]
  types: string[]
  data: string[]
  metadata: string[]
}

/**
 * Checks a whole append before anything is sent, so that a bad event rejects the call with
 * every problem listed and nothing written, and serialises each payload once for sending.
 */
export function prepareEvents(events: unknown, limits: Limits = defaultLimits): PreparedEvents {
  if (!Array.isArray(events))
    throw new TrecError('TREC_INVALID_EVENT', 'events must be an array', {
      issues: [{ path: ['events'], code: 'not_array', message: 'must be an array' }],
    })
  if (events.length > limits.maxEventsPerAppend)
    throw new TrecError('TREC_PAYLOAD_TOO_LARGE', `at most ${limits.maxEventsPerAppend} events per append`, {
      details: { limit: limits.maxEventsPerAppend, size: events.length, unit: 'events' },
    })
  const issues: Issue[] = []
  const prepared: PreparedEvents = { ids: [], types: [], data: [], metadata: [] }
  const ids = new Set<string>()
  for (let i = 0; i < events.length; i++) {
    const event: unknown = events[i]
    if (typeof event !== 'object' || event === null) {
      issues.push({ path: ['events', i], code: 'not_object', message: 'must be an object' })
      continue
    }
    const { id, type, data, metadata, ...rest } = event as Record<string, unknown>
    for (const key of Object.keys(rest))
      issues.push({ path: ['events', i, key], code: 'unrecognized_key', message: 'unknown field' })
    if (typeof id !== 'string' || !uuidPattern.test(id))
      issues.push({ path: ['events', i, 'id'], code: 'invalid_uuid', message: 'must be a lowercase UUID' })
    else if (ids.has(id))
      issues.push({ path: ['events', i, 'id'], code: 'duplicate_id', message: 'id repeated in this append' })
    else ids.add(id)
    if (typeof type !== 'string' || !typePattern.test(type))
      issues.push({
        path: ['events', i, 'type'],
        code: 'invalid_format',
        message: 'must match [A-Za-z][A-Za-z0-9_.:-]{0,127}',
      })
    issues.push(...payloadIssues(data, ['events', i, 'data']))
    if (metadata !== undefined) issues.push(...payloadIssues(metadata, ['events', i, 'metadata']))
    if (issues.length > 0) continue
    const dataText = JSON.stringify(data)
    const metaText = metadata === undefined ? '{}' : JSON.stringify(metadata)
    // UTF-16 length bounds the UTF-8 size from below; count bytes only when it might matter.
    const size = dataText.length + metaText.length
    const bytes =
      size * 3 > limits.maxEventBytes ? Buffer.byteLength(dataText) + Buffer.byteLength(metaText) : size
    if (bytes > limits.maxEventBytes)
      throw new TrecError(
        'TREC_PAYLOAD_TOO_LARGE',
        `event ${i} is ${bytes} bytes; the limit is ${limits.maxEventBytes}`,
        {
          details: { limit: limits.maxEventBytes, size: bytes, index: i, unit: 'bytes' },
        },
      )
    prepared.ids.push(id as string)
    prepared.types.push(type as string)
    prepared.data.push(dataText)
    prepared.metadata.push(metaText)
  }
  if (issues.length > 0) throw new TrecError('TREC_INVALID_EVENT', 'invalid events', { issues })
  return prepared
}

/** Checks an append's events (see `prepareEvents`), for adapters that serialise themselves. */
export function assertEvents(
  events: unknown,
  limits: Limits = defaultLimits,
): asserts events is EventToAppend[] {
  prepareEvents(events, limits)
}

/** Checks a multi-stream append as a whole: each part valid, streams distinct, ids unique across parts. */
export function assertStreamAppends(appends: unknown, limits: Limits = defaultLimits): PreparedEvents[] {
  if (!Array.isArray(appends) || appends.length === 0)
    throw new TrecError('TREC_INVALID_EVENT', 'appends must be a non-empty array', {
      issues: [{ path: ['appends'], code: 'not_array', message: 'must be a non-empty array' }],
    })
  const streams = new Set<string>()
  const ids = new Set<string>()
  const prepared: PreparedEvents[] = []
  let total = 0
  for (const [i, part] of appends.entries()) {
    const { stream, events, expectedRevision } = (part ?? {}) as Record<string, unknown>
    assertStreamName(stream)
    assertExpectedRevision(expectedRevision ?? 'any')
    prepared.push(prepareEvents(events, limits))
    if (streams.has(stream))
      throw new TrecError('TREC_INVALID_EVENT', 'a stream appears twice in one append', {
        issues: [
          {
            path: ['appends', i, 'stream'],
            code: 'duplicate_stream',
            message: 'stream repeated in this append',
          },
        ],
      })
    streams.add(stream)
    for (const [j, event] of (events as EventToAppend[]).entries()) {
      if (ids.has(event.id))
        throw new TrecError('TREC_INVALID_EVENT', 'an event id appears twice in one append', {
          issues: [
            {
              path: ['appends', i, 'events', j, 'id'],
              code: 'duplicate_id',
              message: 'id repeated in this append',
            },
          ],
        })
      ids.add(event.id)
    }
    total += (events as EventToAppend[]).length
  }
  if (total > limits.maxEventsPerAppend)
    throw new TrecError('TREC_PAYLOAD_TOO_LARGE', `at most ${limits.maxEventsPerAppend} events per append`, {
      details: { limit: limits.maxEventsPerAppend, size: total, unit: 'events' },
    })
  return prepared
}
