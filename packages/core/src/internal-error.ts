/**
 * batchkit's internal errors: failures raised and handled inside the engine (a file's bytes, a lease, a
 * provider's batch API, a broken invariant). They never reach a client as they are: the HTTP layer only
 * renders `BatchkitError`, and turns anything else into a generic 500.
 */

/** Codes of {@link InternalError}s that are not of a more specific subclass. */
export type InternalErrorCode =
  /** A step decided a move the state table forbids: a bug. */
  | 'invalid_transition'
  /** A batch lease lapsed or was taken over while a step ran. */
  | 'lease_lost'
  /** A long step checkpointed and stops before its batch lease lapses; it resumes under a fresh lease. */
  | 'lease_ending'

/**
 * The base of batchkit's internal errors; subclasses narrow `code` (see `JsonlError`,
 * `ProviderCallError`).
 *
 * @example
 * throw new InternalError('lease_lost', `The lease on batch ${id} was lost.`)
 */
export class InternalError<Code extends string = InternalErrorCode> extends Error {
  override readonly name: string = 'InternalError'
  readonly code: Code

  constructor(code: Code, message: string, options?: { cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause })
    this.code = code
  }
}

/** True when `value` is an {@link InternalError}, optionally with `code`. */
export function isInternalError(value: unknown, code?: string): value is InternalError<string> {
  return value instanceof InternalError && (code === undefined || value.code === code)
}

/** What a {@link ProviderCallError} says about the failed call besides its message. */
export interface ProviderCallDetails {
  /** The provider's error code (`invalid_api_key`, `token_limit_exceeded`, …). */
  code?: string
  /** HTTP status, when there was an answer. */
  status?: number
  /** False when retrying cannot help (a bad request, a bad key, an unknown batch). Default true. */
  retryable?: boolean
  /** Delay the provider asked for before trying again. */
  retryAfterMs?: number
}

/**
 * A failed call to a provider's own batch API (native mode): what a native provider throws. The runner
 * retries it with backoff unless `retryable` is false; `code` and `message` end up in `batch.errors`
 * when a submit fails for good. The message must never contain the provider key.
 *
 * @example
 * throw new ProviderCallError('The provider refused the batch: quota exceeded', { status: 429, retryAfterMs: 60_000 })
 */
export class ProviderCallError extends InternalError<string> {
  override readonly name: string = 'ProviderCallError'
  readonly status: number | undefined
  readonly retryable: boolean | undefined
  readonly retryAfterMs: number | undefined

  constructor(message: string, details: ProviderCallDetails = {}, options?: { cause?: unknown }) {
    super(details.code ?? 'provider_error', message, options)
    this.status = details.status
    this.retryable = details.retryable
    this.retryAfterMs = details.retryAfterMs
  }
}
