/** Helpers to inspect unvalidated JSON values and describe them in OpenAI-style error messages. */
import { printable } from './storable-text.ts'

/** A JSON object: any non-null, non-array object. */
export type JsonObject = Record<string, unknown>

/** True when `value` is a JSON object (not null, not an array). */
export function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/** The JSON type of `value` with its article, as OpenAI words it: `a string`, `an integer`, `an array`… */
export function describeType(value: unknown): string {
  if (value === null) return 'null'
  if (Array.isArray(value)) return 'an array'
  switch (typeof value) {
    case 'string':
      return 'a string'
    case 'number':
      return Number.isInteger(value) ? 'an integer' : 'a decimal'
    case 'boolean':
      return 'a boolean'
    case 'object':
      return 'an object'
    default:
      return typeof value
  }
}

/** Quotes and lists values as OpenAI does: `'a', 'b', and 'c'`. */
export function listValues(values: readonly string[]): string {
  const quoted = values.map((v) => `'${v}'`)
  if (quoted.length <= 2) return quoted.join(' and ')
  return `${quoted.slice(0, -1).join(', ')}, and ${quoted[quoted.length - 1]}`
}

/** Length of `text` in Unicode code points (what "characters" means in OpenAI's limits). */
export function charLength(text: string): number {
  let n = 0
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    // A high surrogate followed by a low one is one character.
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) {
      const d = text.charCodeAt(i + 1)
      if (d >= 0xdc00 && d <= 0xdfff) i++
    }
    n++
  }
  return n
}

/**
 * `text` in single quotes for an error message: cut to `max` characters with an ellipsis, control
 * characters and unpaired surrogates escaped (see {@link printable}).
 */
export function quote(text: string, max = 64): string {
  return `'${printable(text, max)}'`
}
