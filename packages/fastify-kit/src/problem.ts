import { toIssues } from '@trec/contracts'
import { errorCodes, type Issue, isTrecError, TrecError, type TrecErrorCode } from '@trec/core'
import { isDatabaseUnavailable } from '@trec/eventstore'
import type { FastifyError, FastifyInstance, FastifyReply } from 'fastify'
import fp from 'fastify-plugin'
import { z } from 'zod'
import { problemContentType, problemOf } from './problem-body.ts'

/** One failing field of a refused request: where it is, a machine-readable reason, a message. */
export const issueSchema = z
  .object({
    path: z
      .array(z.union([z.string(), z.int()]))
      .describe(
        'Where in the request the problem is: the part (body, query, params, headers), then keys and indexes.',
      ),
    code: z.string().describe('A short machine-readable reason, e.g. `too_big`, `invalid_check_digit`.'),
    message: z.string(),
  })
  .meta({
    id: 'Issue',
    example: {
      path: ['body', 'cardNumber'],
      code: 'invalid_check_digit',
      message: 'the check digit is wrong',
    },
  })

/**
 * The problem+json body every refusal carries (RFC 9457), as the OpenAPI document states it:
 * `code` is stable (docs/errors.md), `errors` names the failing fields. Other members a code
 * documents (e.g. `allowed` on a 403) may follow.
 */
export const problemSchema = z
  .looseObject({
    type: z
      .string()
      .describe('A URI reference into the error catalogue (`GET /errors`), one anchor per code.'),
    title: z.string(),
    status: z.int().min(400).max(599),
    code: z.enum(Object.keys(errorCodes) as [TrecErrorCode, ...TrecErrorCode[]]),
    detail: z.string(),
    instance: z.string().describe('The path of the request, without its query.'),
    requestId: z.string().describe('Quote it when asking about this answer.'),
    errors: z.array(issueSchema).optional(),
    canRetry: z.boolean().optional().describe('Present and true when the same request may succeed later.'),
  })
  .meta({
    id: 'Problem',
    description: 'RFC 9457 problem details with a stable `code` and the failing fields in `errors`.',
    example: {
      type: '/errors#trec_validation',
      title: 'validation',
      status: 400,
      code: 'TREC_VALIDATION',
      detail: 'the request is invalid',
      instance: '/v1/archive/lookup',
      requestId: '01936f4e-7c1a-7b3e-9d2f-5a6b7c8d9e0f',
      errors: [
        { path: ['body', 'cardNumber'], code: 'invalid_check_digit', message: 'the check digit is wrong' },
      ],
    },
  })

/** What a 503 asks the client to wait before retrying (RFC 9110 §10.2.3). */
const retryAfterSeconds = 1

const validationPart = (context: string | undefined) =>
  context === 'querystring' ? 'query' : (context ?? 'body')

/**
 * Turns fastify's schema-validation failures (zod issues, as fastify-type-provider-zod hands
 * them over) into our issue list, paths rooted at the part of the request, through the same
 * conversion every other zod failure goes through.
 */
function validationIssues(error: FastifyError): Issue[] {
  const part = validationPart(error.validationContext)
  const issues = (error.validation ?? []).map(
    (v) =>
      ({
        ...v.params,
        code: v.keyword,
        path: v.instancePath
          .split('/')
          .filter((p) => p !== '')
          .map((p) => (/^\d+$/.test(p) ? Number(p) : p)),
        message: v.message ?? 'invalid',
      }) as unknown as z.core.$ZodIssue,
  )
  return toIssues(issues, [part])
}

/** Maps anything thrown by a route or by fastify itself onto one of our codes. */
export function toTrecError(error: unknown): TrecError {
  if (isTrecError(error)) return error
  const e = error as FastifyError & { statusCode?: number }
  if (e.validation)
    return new TrecError('TREC_VALIDATION', 'the request is invalid', { issues: validationIssues(e) })
  switch (e.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new TrecError('TREC_PAYLOAD_TOO_LARGE', 'the request body is too large')
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return new TrecError('TREC_UNSUPPORTED_MEDIA_TYPE', 'send the body as application/json')
    // Fastify 5 answers a body that does not parse (or carries `__proto__`) with this code, not a SyntaxError.
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return new TrecError('TREC_VALIDATION', 'the request body is not valid JSON', {
        issues: [{ path: ['body'], code: 'invalid_json', message: e.message }],
      })
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return new TrecError('TREC_VALIDATION', 'the request body is empty', {
        issues: [{ path: ['body'], code: 'required', message: 'a JSON body is required' }],
      })
  }
  if (e.statusCode === 400 && e instanceof SyntaxError)
    return new TrecError('TREC_VALIDATION', 'the request body is not valid JSON', {
      issues: [{ path: ['body'], code: 'invalid_json', message: e.message }],
    })
  if (e.statusCode === 429) return new TrecError('TREC_RATE_LIMITED', 'too many requests')
  if (e.statusCode === 404) return new TrecError('TREC_NOT_FOUND', 'not found')
  if (e.statusCode === 415) return new TrecError('TREC_UNSUPPORTED_MEDIA_TYPE', 'unsupported media type')
  if (e.statusCode !== undefined && e.statusCode >= 400 && e.statusCode < 500)
    return new TrecError('TREC_VALIDATION', e.message)
  // The database went away under a read model, the idempotency table or the key store: tell the
  // client to retry (503), as the event store itself does, rather than report a fault of ours.
  if (isDatabaseUnavailable(error) || isDatabaseUnavailable((error as { cause?: unknown })?.cause))
    return new TrecError('TREC_STORE_UNAVAILABLE', 'the database is unavailable; retry later', {
      canRetry: true,
      cause: error,
    })
  return new TrecError('TREC_INTERNAL', 'internal error', { cause: error })
}

export function sendProblem(reply: FastifyReply, error: TrecError): FastifyReply {
  return reply.code(error.status).type(problemContentType).send(problemOf(error, reply.request))
}

/** Every error leaves as application/problem+json; no stack, no internals, the request id to quote. */
export const problemPlugin = fp(
  async (app: FastifyInstance) => {
    // The API speaks JSON only: a text body is refused with 415 instead of reaching a schema as a string.
    app.removeContentTypeParser('text/plain')
    app.setErrorHandler((error, request, reply) => {
      const trec = toTrecError(error)
      if (trec.status >= 500) request.log.error({ err: error }, 'request failed')
      else request.log.info({ code: trec.code }, 'request refused')
      if (trec.code === 'TREC_STORE_UNAVAILABLE') reply.header('retry-after', String(retryAfterSeconds))
      if (trec.code === 'TREC_RATE_LIMITED') {
        const retryAfter = reply.getHeader('retry-after')
        if (retryAfter !== undefined) reply.header('retry-after', retryAfter)
      }
      return sendProblem(reply, trec)
    })
    app.setNotFoundHandler((request, reply) =>
      sendProblem(
        reply,
        new TrecError('TREC_NOT_FOUND', `no route ${request.method} ${request.url.split('?')[0]}`),
      ),
    )
  },
  { name: 'trec-problem', fastify: '5.x' },
)
