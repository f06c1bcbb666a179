/** `BatchkitError`s for request parameters, worded as OpenAI words them. */
import { BatchkitError } from '../errors.ts'
import { describeType, listValues, quote } from './json.ts'

/** `missing_required_parameter`: "Missing required parameter: 'endpoint'." */
export function missingParam(param: string): BatchkitError {
  return new BatchkitError('missing_required_parameter', `Missing required parameter: '${param}'.`, { param })
}

/** `invalid_type`: "Invalid type for 'metadata.tags': expected a string, but got an array instead." */
export function invalidType(param: string, expected: string, value: unknown): BatchkitError {
  return new BatchkitError(
    'invalid_type',
    `Invalid type for '${param}': expected ${expected}, but got ${describeType(value)} instead.`,
    { param },
  )
}

/** `invalid_value` for a value outside a closed set: "Invalid value: 'x'. Supported values are: 'a' and 'b'." */
export function unsupportedValue(param: string, value: string, supported: readonly string[]): BatchkitError {
  return new BatchkitError(
    'invalid_value',
    `Invalid value: ${quote(value)}. Supported values are: ${listValues(supported)}.`,
    { param },
  )
}

/** `invalid_value` with a free-form explanation: "Invalid 'param': <detail>". */
export function invalidValue(param: string, detail: string): BatchkitError {
  return new BatchkitError('invalid_value', `Invalid '${param}': ${detail}`, { param })
}
