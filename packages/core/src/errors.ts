/**
 * The one error type of batchkit. Every failure that reaches a client is a `BatchkitError` with a code
 * from a closed set; the HTTP layer renders it as OpenAI's envelope `{error:{message,type,param,code}}`.
 */

/** Every error code batchkit can answer an API request with, and the HTTP status it maps to. */
export const errorStatus = {
  invalid_request: 400,
  invalid_value: 400,
  invalid_type: 400,
  missing_required_parameter: 400,
  invalid_file_format: 400,
  unknown_provider: 400,
  missing_api_key: 401,
  invalid_api_key: 401,
  permission_denied: 403,
  not_found: 404,
  batch_not_cancellable: 409,
  file_too_large: 413,
  request_too_large: 413,
  unsupported_endpoint: 422,
  rate_limit_exceeded: 429,
  internal_error: 500,
  service_unavailable: 503,
} as const

/** A code from batchkit's closed set of API error codes. */
export type BatchkitErrorCode = keyof typeof errorStatus

/** OpenAI's `error.type` values that batchkit emits. */
export type OpenAIErrorType =
  | 'invalid_request_error'
  | 'authentication_error'
  | 'permission_error'
  | 'rate_limit_error'
  | 'server_error'

/** Options of a {@link BatchkitError}. */
export interface BatchkitErrorOptions {
  /** The request parameter at fault, e.g. `metadata.tags` or `file`. */
  param?: string | null
  /** Seconds a client should wait before retrying (429/503). */
  retryAfter?: number
  /** The underlying error, kept for logs; never sent to clients. */
  cause?: unknown
}

/**
 * An error with a code from the closed set {@link BatchkitErrorCode}.
 *
 * @example
 * throw new BatchkitError('not_found', `No batch found with id '${id}'.`)
 */
export class BatchkitError extends Error {
  override readonly name = 'BatchkitError'
  readonly code: BatchkitErrorCode
  readonly param: string | null
  readonly retryAfter: number | undefined

  constructor(code: BatchkitErrorCode, message: string, options: BatchkitErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause })
    this.code = code
    this.param = options.param ?? null
    this.retryAfter = options.retryAfter
  }

  /** The HTTP status this error answers with. */
  get status(): number {
    return errorStatus[this.code]
  }

  /** OpenAI's `error.type` for this error. */
  get type(): OpenAIErrorType {
    const status = this.status
    if (status === 401) return 'authentication_error'
    if (status === 403) return 'permission_error'
    if (status === 429) return 'rate_limit_error'
    if (status >= 500) return 'server_error'
    return 'invalid_request_error'
  }

  /** The OpenAI error envelope for this error. */
  toJSON(): ErrorEnvelope {
    return { error: { message: this.message, type: this.type, param: this.param, code: this.code } }
  }
}

/** OpenAI's error envelope: all four keys are always present. */
export interface ErrorEnvelope {
  error: { message: string; type: string; param: string | null; code: string | null }
}

/** True when `value` is a {@link BatchkitError}. */
export function isBatchkitError(value: unknown): value is BatchkitError {
  return value instanceof BatchkitError
}

/**
 * Turns anything thrown into a {@link BatchkitError}; unknown errors become `internal_error` with a
 * generic message, so no stack trace or internal detail ever reaches a client.
 */
export function toBatchkitError(value: unknown): BatchkitError {
  if (value instanceof BatchkitError) return value
  return new BatchkitError('internal_error', 'The server had an error while processing your request.', {
    cause: value,
  })
}
