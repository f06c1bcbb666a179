/**
 * A thrown value as plain fields a logger can print: for an `Error`, its `name`, `message`, `code`
 * (when it has one), `stack` and `cause` (described the same way, a few levels deep); anything else
 * as is. `JSON.stringify` of an `Error` gives `{}`, losing all of it.
 *
 * @example
 * JSON.stringify(fields, (_key, value) => (value instanceof Error ? errorFields(value) : value))
 */
export function errorFields(value: unknown, depth = 0): unknown {
  if (!(value instanceof Error)) return value
  const fields: Record<string, unknown> = { name: value.name, message: value.message }
  const code = (value as { code?: unknown }).code
  if (typeof code === 'string' || typeof code === 'number') fields.code = code
  if (value.stack) fields.stack = value.stack
  if (value.cause !== undefined)
    fields.cause = depth < 3 ? errorFields(value.cause, depth + 1) : String(value.cause)
  return fields
}

/**
 * `fields` with every `Error` in them (nested in plain objects and arrays, a few levels deep) turned
 * into {@link errorFields}, ready for `JSON.stringify` — which would otherwise print an `Error` as `{}`,
 * or as its `toJSON()` (a `BatchkitError` prints as its client envelope, without code, stack or cause).
 *
 * @example
 * console.error(`${message} ${JSON.stringify(loggableFields(fields))}`)
 */
export function loggableFields(fields: Record<string, unknown>): Record<string, unknown> {
  return deep(fields, 0) as Record<string, unknown>
}

function deep(value: unknown, depth: number): unknown {
  if (value instanceof Error) return errorFields(value)
  if (depth >= 4 || typeof value !== 'object' || value === null) return value
  if (Array.isArray(value)) return value.map((item) => deep(item, depth + 1))
  if (Object.getPrototypeOf(value) !== Object.prototype) return value
  const out: Record<string, unknown> = {}
  for (const [key, item] of Object.entries(value)) out[key] = deep(item, depth + 1)
  return out
}
