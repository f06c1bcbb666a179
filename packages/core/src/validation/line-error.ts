/** Builders of `batch.errors.data` entries for input-file validation. */
import type { BatchError } from '../wire/batch.ts'
import { printable } from './storable-text.ts'

/** Longest message of a validation error, in characters (messages quote short excerpts of the input). */
export const maxErrorMessageLength = 500

/**
 * One validation error; `param` is the dotted path into the line, `line` the 1-based line or null. The
 * message is capped at {@link maxErrorMessageLength} characters, so no input can make `batch.errors` big.
 */
export function lineError(
  code: string,
  message: string,
  param: string | null,
  line: number | null,
): BatchError {
  const capped = message.length <= maxErrorMessageLength ? message : printable(message, maxErrorMessageLength)
  return { code, message: capped, param: param === null ? null : printable(param, 100), line }
}

/** `missing_required_parameter` for `param` on `line`. */
export function missingParameter(param: string, line: number): BatchError {
  return lineError('missing_required_parameter', `Missing required parameter: '${param}'.`, param, line)
}
