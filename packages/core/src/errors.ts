// Every error a client or an operator can act on carries a stable code (documented in
// docs/errors.md, kept in step by a test), the HTTP status its problem+json answer uses, and
// the facts needed to act in fields, never only in the message.

export const errorCodes = {
  TREC_VALIDATION: 400,
  TREC_INVALID_STREAM_NAME: 400,
  TREC_INVALID_EVENT: 400,
  TREC_INVALID_CARD_NUMBER: 400,
  TREC_UNKNOWN_EVENT_TYPE: 400,
  TREC_UNSUPPORTED_SCHEMA_VERSION: 400,
  TREC_STREAM_CONFLICT: 409,
  TREC_EVENT_ID_REUSED: 409,
  TREC_KEY_SHREDDED: 410,
  TREC_DECRYPTION_FAILED: 500,
  TREC_PAYLOAD_TOO_LARGE: 413,
  TREC_RULE_FAILED: 422,
  TREC_RULE_SET_CONFLICT: 409,
  TREC_IDENTITY_NOT_VERIFIED: 422,
  TREC_STORE_UNAVAILABLE: 503,
  TREC_MERKLE_NODE_MISSING: 500,
  TREC_UNAUTHENTICATED: 401,
  TREC_FORBIDDEN: 403,
  TREC_NOT_FOUND: 404,
  TREC_UNSUPPORTED_MEDIA_TYPE: 415,
  TREC_IDEMPOTENCY_KEY_REUSED: 422,
  TREC_IDEMPOTENCY_IN_PROGRESS: 409,
  TREC_RATE_LIMITED: 429,
  TREC_OVERLOADED: 503,
  TREC_INTERNAL: 500,
} as const

export type TrecErrorCode = keyof typeof errorCodes

export interface Issue {
  /** Where in the input the problem is, as a path of keys and indexes. */
  path: (string | number)[]
  /** A short machine-readable reason, e.g. `too_big`, `invalid_check_digit`. */
  code: string
  message: string
}

export interface TrecErrorOptions {
  issues?: Issue[]
  details?: Record<string, unknown>
  canRetry?: boolean
  cause?: unknown
}

export class TrecError extends Error {
  readonly code: TrecErrorCode
  readonly status: number
  readonly issues: Issue[]
  readonly details: Record<string, unknown>
  readonly canRetry: boolean

  constructor(code: TrecErrorCode, message: string, options: TrecErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause })
    this.name = 'TrecError'
    this.code = code
    this.status = errorCodes[code]
    this.issues = options.issues ?? []
    this.details = options.details ?? {}
    this.canRetry = options.canRetry ?? false
  }
}

export function isTrecError(error: unknown, code?: TrecErrorCode): error is TrecError {
  return error instanceof TrecError && (code === undefined || error.code === code)
}
