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
