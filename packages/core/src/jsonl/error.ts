/** Errors of the JSONL reader: problems with the bytes of a file, before any line is parsed as JSON. */

import { InternalError } from '../internal-error.ts'

/** What is wrong with the bytes of a JSONL file. */
export type JsonlErrorCode = 'bom' | 'invalid_utf8' | 'line_too_long'

/**
 * A JSONL file that cannot be read as UTF-8 lines: it starts with a byte order mark, a line is not valid
 * UTF-8, or a line is longer than the limit. `line` is the 1-based line number.
 */
export class JsonlError extends InternalError<JsonlErrorCode> {
  override readonly name = 'JsonlError'
  readonly line: number | null

  constructor(code: JsonlErrorCode, line: number | null, message: string) {
    super(code, message)
    this.line = line
  }
}

/** True when `value` is a {@link JsonlError}. */
export function isJsonlError(value: unknown): value is JsonlError {
  return value instanceof JsonlError
}
