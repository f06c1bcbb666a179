/** Validation of `expires_after` (file upload) and `output_expires_after` (batch create). */
import { expiresAfterSeconds } from '../wire/file.ts'
import { invalidType, invalidValue, missingParam, unsupportedValue } from './param-errors.ts'

/**
 * Validates `{ anchor: 'created_at', seconds }` and returns the seconds (an integer from 3,600 to
 * 2,592,000), or null when `input` is undefined. `seconds` may be a string of digits, as multipart form
 * fields are. Throws `BatchkitError` (`missing_required_parameter`, `invalid_type`, `invalid_value`) with
 * params `<paramPrefix>.anchor` / `<paramPrefix>.seconds`.
 *
 * @example
 * parseExpiresAfter({ anchor: form.get('expires_after[anchor]'), seconds: form.get('expires_after[seconds]') }, 'expires_after')
 */
export function parseExpiresAfter(
  input: { anchor?: unknown; seconds?: unknown } | undefined,
  paramPrefix: string,
): number | null {
  if (input === undefined) return null
  const anchorParam = `${paramPrefix}.anchor`
  const secondsParam = `${paramPrefix}.seconds`

  const anchor = input.anchor
  if (anchor === undefined) throw missingParam(anchorParam)
  if (typeof anchor !== 'string') throw invalidType(anchorParam, 'a string', anchor)
  if (anchor !== 'created_at') throw unsupportedValue(anchorParam, anchor, ['created_at'])

  let seconds = input.seconds
  if (seconds === undefined) throw missingParam(secondsParam)
  if (typeof seconds === 'string' && /^\s*[+-]?\d+\s*$/.test(seconds)) seconds = Number(seconds)
  if (typeof seconds !== 'number' || !Number.isInteger(seconds))
    throw invalidType(secondsParam, 'an integer', seconds)
  const { min, max } = expiresAfterSeconds
  if (seconds < min) {
    throw invalidValue(
      secondsParam,
      `integer below minimum value. Expected a value >= ${min}, but got ${seconds} instead.`,
    )
  }
  if (seconds > max) {
    throw invalidValue(
      secondsParam,
      `integer above maximum value. Expected a value <= ${max}, but got ${seconds} instead.`,
    )
  }
  return seconds
}
