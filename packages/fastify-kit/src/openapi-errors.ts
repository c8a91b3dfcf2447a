import { errorCodes, type TrecErrorCode } from '@trec/core'

// The refusals every operation can give, as named OpenAPI answers (`components.responses`),
// each an application/problem+json `Problem` with an example, and which operations give which.

type Json = Record<string, unknown>

interface ErrorAnswer {
  name: string
  description: string
  code: TrecErrorCode
  detail: string
  headers?: Json
  extra?: Json
}

const retryAfter = {
  'Retry-After': {
    description: 'Seconds to wait before sending the same request again.',
    schema: { type: 'integer', minimum: 0 },
  },
}

const answers = {
  '400': {
    name: 'BadRequest',
    description: 'The request is invalid: `errors` names each failing field (body, query, params, headers).',
    code: 'TREC_VALIDATION',
    detail: 'the request is invalid',
    extra: {
      errors: [{ path: ['body', 'occurredAt'], code: 'invalid_format', message: 'Invalid ISO datetime' }],
    },
  },
  '401': {
    name: 'Unauthorized',
    description: 'No bearer token, or one that is expired, not signed by a trusted key, or incomplete.',
    code: 'TREC_UNAUTHENTICATED',
    detail: 'token expired',
    headers: {
      'WWW-Authenticate': {
        description: 'The bearer challenge, with the reason (RFC 6750).',
        schema: { type: 'string' },
      },
    },
    extra: { reason: 'token expired' },
  },
  '403': {
    name: 'Forbidden',
    description:
      'The caller’s role, region, institution or class may not do this; `reason` says which, `allowed` lists what would be.',
    code: 'TREC_FORBIDDEN',
    detail: 'role device may not call this route',
    extra: { reason: 'role', role: 'device', allowed: ['institution_staff'] },
  },
  '404': {
    name: 'NotFound',
    description: 'Nothing on the record has the identifier in the path.',
    code: 'TREC_NOT_FOUND',
    detail: 'not found',
  },
  '409': {
    name: 'Conflict',
    description:
      'The record moved under the command (retry it), or a request with the same Idempotency-Key is still running.',
    code: 'TREC_STREAM_CONFLICT',
    detail: 'the stream changed since it was read; retry the command',
    extra: { canRetry: true },
  },
  '413': {
    name: 'PayloadTooLarge',
    description: 'The request body is larger than the server accepts.',
    code: 'TREC_PAYLOAD_TOO_LARGE',
    detail: 'the request body is too large',
  },
  '415': {
    name: 'UnsupportedMediaType',
    description: 'The body is not sent as application/json.',
    code: 'TREC_UNSUPPORTED_MEDIA_TYPE',
    detail: 'send the body as application/json',
  },
  '422': {
    name: 'UnprocessableContent',
    description:
      'The command is well formed but the record refuses it (a rule failed, an identity is not verified), or its Idempotency-Key was used for a different request.',
    code: 'TREC_RULE_FAILED',
    detail: 'the class does not meet the rule',
  },
  '429': {
    name: 'TooManyRequests',
    description: 'The caller has used up its request budget; wait as `Retry-After` says.',
    code: 'TREC_RATE_LIMITED',
    detail: 'too many requests',
    headers: retryAfter,
  },
  '500': {
    name: 'InternalError',
    description: 'A fault of the server; quote `requestId`.',
    code: 'TREC_INTERNAL',
    detail: 'internal error; quote request id 01936f4e-7c1a-7b3e-9d2f-5a6b7c8d9e0f',
  },
  '503': {
    name: 'ServiceUnavailable',
    description:
      'The database is unavailable or the server is overloaded; retry after `Retry-After` seconds.',
    code: 'TREC_STORE_UNAVAILABLE',
    detail: 'the database is unavailable; retry later',
    headers: retryAfter,
    extra: { canRetry: true },
  },
} satisfies Record<string, ErrorAnswer>

/** A status of the refusals above. */
export type ErrorStatus = keyof typeof answers

/** Where a route's `config.refusals` travels through the operation, to errorAnswersOf. */
export const refusalsKey = 'x-refusals'

/** `components.responses`: one named problem+json answer per status, with an example. */
export function errorAnswers(): Record<string, Json> {
  return Object.fromEntries(
    Object.entries(answers as Record<string, ErrorAnswer>).map(([status, a]) => [
      a.name,
      {
        description: a.description,
        ...(a.headers ? { headers: a.headers } : {}),
        content: {
          'application/problem+json': {
            schema: { $ref: '#/components/schemas/Problem' },
            example: {
              type: `/errors#${a.code.toLowerCase()}`,
              title: a.code
                .replace(/^TREC_/, '')
                .toLowerCase()
                .replaceAll('_', ' '),
              status: errorCodes[a.code] ?? Number(status),
              code: a.code,
              detail: a.detail,
              instance: '/v1/classes/01936f4e-7c1a-7b3e-9d2f-5a6b7c8d9e0f/opening',
              requestId: '01936f4e-7c1a-7b3e-9d2f-5a6b7c8d9e0f',
              ...a.extra,
            },
          },
        },
      },
    ]),
  )
}

/**
 * The refusals one operation can give: every one can be refused as invalid, rate limited, or
 * unavailable, or fail; an authenticated one as unauthenticated or forbidden; one with a path
 * parameter as not found; a POST as a conflict or unprocessable; one with a body as too large
 * or of the wrong media type; and any a route names in its `config.refusals`.
 */
export function errorAnswersOf(method: string, operation: Json): Record<string, { $ref: string }> {
  const isPublic = Array.isArray(operation.security) && operation.security.length === 0
  const hasPathParam = ((operation.parameters as Json[] | undefined) ?? []).some((p) => p.in === 'path')
  const post = method.toLowerCase() === 'post'
  const given = new Set<string>([
    '400',
    ...(isPublic ? [] : ['401', '403']),
    ...(hasPathParam ? ['404'] : []),
    ...(post ? ['409', '422'] : []),
    ...(operation.requestBody ? ['413', '415'] : []),
    '429',
    '500',
    '503',
    ...((operation[refusalsKey] as string[] | undefined) ?? []),
  ])
  return Object.fromEntries(
    (Object.keys(answers) as ErrorStatus[])
      .filter((s) => given.has(s))
      .map((s) => [s, { $ref: `#/components/responses/${answers[s].name}` }]),
  )
}
