import { parseGoDurationMs } from './go-duration.ts'
import type { HeaderReader } from './header-reader.ts'

export { parseGoDurationMs } from './go-duration.ts'

/**
 * What a response's `x-ratelimit-*` headers say about the caller's budget. A field is `null` when
 * its header is absent or unreadable (Azure, for one, sends only the `remaining-*` pair).
 */
export interface RateLimitSnapshot {
  /** `x-ratelimit-limit-requests`: request cap of the window (per day on Groq). */
  limitRequests: number | null
  /** `x-ratelimit-remaining-requests`. */
  remainingRequests: number | null
  /** `x-ratelimit-reset-requests`, in ms: until the request budget is full again. */
  resetRequestsMs: number | null
  /** `x-ratelimit-limit-tokens`. */
  limitTokens: number | null
  /** `x-ratelimit-remaining-tokens`. */
  remainingTokens: number | null
  /** `x-ratelimit-reset-tokens`, in ms: until the token budget is full again. */
  resetTokensMs: number | null
}

const count = (raw: string | null): number | null => {
  if (raw === null || !/^\s*\d+(?:\.\d+)?\s*$/.test(raw)) return null
  return Number(raw)
}

const duration = (raw: string | null): number | null => parseGoDurationMs(raw) ?? null

/**
 * Reads OpenAI's rate-limit headers; `undefined` when the response has none of them.
 *
 * @example
 * readRateLimitHeaders(response.headers)
 * // { limitRequests: 60, remainingRequests: 59, resetRequestsMs: 1000, limitTokens: 150000, … }
 */
export function readRateLimitHeaders(headers: HeaderReader): RateLimitSnapshot | undefined {
  const snapshot: RateLimitSnapshot = {
    limitRequests: count(headers.get('x-ratelimit-limit-requests')),
    remainingRequests: count(headers.get('x-ratelimit-remaining-requests')),
    resetRequestsMs: duration(headers.get('x-ratelimit-reset-requests')),
    limitTokens: count(headers.get('x-ratelimit-limit-tokens')),
    remainingTokens: count(headers.get('x-ratelimit-remaining-tokens')),
    resetTokensMs: duration(headers.get('x-ratelimit-reset-tokens')),
  }
  return Object.values(snapshot).some((v) => v !== null) ? snapshot : undefined
}

/**
 * How long until the exhausted budget of a snapshot refills: the request reset when no requests
 * remain, the token reset when no tokens remain (the longer when both); `undefined` when neither is
 * known to be exhausted. A fallback retry hint for 429s that carry no `retry-after`.
 *
 * @example
 * exhaustedResetMs({ ...snapshot, remainingRequests: 0, resetRequestsMs: 1200 }) // 1200
 */
export function exhaustedResetMs(snapshot: RateLimitSnapshot): number | undefined {
  const waits: number[] = []
  if (snapshot.remainingRequests === 0 && snapshot.resetRequestsMs !== null)
    waits.push(snapshot.resetRequestsMs)
  if (snapshot.remainingTokens === 0 && snapshot.resetTokensMs !== null) waits.push(snapshot.resetTokensMs)
  return waits.length > 0 ? Math.max(...waits) : undefined
}
