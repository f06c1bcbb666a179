import type { HeaderReader } from './header-reader.ts'

/**
 * The delay a response asks for before a retry, in ms, read the way the openai SDK reads it:
 * `retry-after-ms` (float ms) first, then `retry-after` (float seconds, or an HTTP date relative
 * to `now`). `undefined` when neither is present and valid. Dates in the past give 0.
 *
 * @example
 * parseRetryAfterMs(new Headers({ 'retry-after-ms': '1500.5' })) // 1500.5
 * parseRetryAfterMs(new Headers({ 'retry-after': '2' }))         // 2000
 */
export function parseRetryAfterMs(headers: HeaderReader, now: number = Date.now()): number | undefined {
  const ms = parseNonNegative(headers.get('retry-after-ms'))
  if (ms !== undefined) return ms
  const raw = headers.get('retry-after')?.trim()
  if (!raw) return undefined
  const seconds = parseNonNegative(raw)
  if (seconds !== undefined) return seconds * 1000
  if (/^\d/.test(raw) || !/[a-z]/i.test(raw)) return undefined
  const date = Date.parse(raw)
  return Number.isNaN(date) ? undefined : Math.max(0, date - now)
}

/** A finite, non-negative decimal number, or `undefined`. */
function parseNonNegative(raw: string | null): number | undefined {
  if (raw === null) return undefined
  const text = raw.trim()
  if (!/^\d+(?:\.\d+)?$|^\.\d+$/.test(text)) return undefined
  const value = Number(text)
  return Number.isFinite(value) ? value : undefined
}
