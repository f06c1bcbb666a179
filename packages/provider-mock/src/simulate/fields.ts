/** Reads loosely typed request bodies without trusting them. */

/** `body[key]` when it is a finite number. */
export function numberField(body: Record<string, unknown>, key: string): number | undefined {
  const value = body[key]
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined
}

/** `body[key]` when it is a string. */
export function stringField(body: Record<string, unknown>, key: string): string | undefined {
  const value = body[key]
  return typeof value === 'string' ? value : undefined
}

/** `value` when it is a plain object. */
export function asObject(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined
}

/** The `model` of a body, or `mock-model` when it has none. */
export function modelOf(body: Record<string, unknown>): string {
  return stringField(body, 'model') ?? 'mock-model'
}
