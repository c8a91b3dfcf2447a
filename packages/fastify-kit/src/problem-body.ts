import type { Issue, TrecError, TrecErrorCode } from '@trec/core'

// The problem+json body (RFC 9457) of a refusal, apart from fastify: the front thread
// (front-thread-main.ts) writes it without loading the platform.

/** RFC 9457 problem details, with our stable `code` and the failing fields in `errors`. */
export interface Problem {
  type: string
  title: string
  status: number
  code: TrecErrorCode
  detail: string
  instance: string
  requestId: string
  errors?: Issue[]
  [extension: string]: unknown
}

export const problemContentType = 'application/problem+json; charset=utf-8'

// The `type` is a relative URI (RFC 9457 §3.1.1 allows it), resolved against the API's own
// origin, where `GET /errors` serves docs/errors.md with one anchor per code.
const typeUri = (code: TrecErrorCode) => `/errors#${code.toLowerCase()}`

/** The problem body of `error` as an answer to `request` (its id and url are all it needs). */
export function problemOf(error: TrecError, request: { id: unknown; url: string }): Problem {
  // A 503 (store unavailable, overloaded) is the client's to act on: it keeps its message and details.
  const internal = error.status >= 500 && error.status !== 503
  return {
    ...(internal ? {} : error.details),
    type: typeUri(error.code),
    title: error.code
      .replace(/^TREC_/, '')
      .toLowerCase()
      .replaceAll('_', ' '),
    status: error.status,
    code: error.code,
    // Internal failures are logged with their cause, not shown to the caller.
    detail: internal ? `internal error; quote request id ${request.id}` : error.message,
    instance: request.url.split('?')[0]!,
    requestId: String(request.id),
    ...(error.issues.length > 0 ? { errors: error.issues } : {}),
    ...(error.canRetry ? { canRetry: true } : {}),
  }
}
