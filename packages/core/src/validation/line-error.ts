/** Builders of `batch.errors.data` entries for input-file validation. */
import type { BatchError } from '../wire/batch.ts'

/** One validation error; `param` is the dotted path into the line, `line` the 1-based line or null. */
export function lineError(
  code: string,
  message: string,
  param: string | null,
  line: number | null,
): BatchError {
  return { code, message, param, line }
}

/** `missing_required_parameter` for `param` on `line`. */
export function missingParameter(param: string, line: number): BatchError {
  return lineError('missing_required_parameter', `Missing required parameter: '${param}'.`, param, line)
}
