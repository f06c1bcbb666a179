import { parseGoDurationMs } from '../go-duration.ts'
import type { HeaderReader } from '../header-reader.ts'

/** One budget (requests or tokens) as a response reported it. Nulls for what it did not say. */
export interface LimitWindow {
  /** Size of the budget (per minute on OpenAI; requests per day on Groq). */
  limit: number | null
  /** Units left after this call. */
  remaining: number | null
  /** Ms until the budget is full again. */
  resetMs: number | null
}

/** What a response's rate-limit headers say, in any of the dialects batchkit reads. */
export interface RateLimitInfo {
  requests?: LimitWindow
  tokens?: LimitWindow
}

const count = (raw: string | null): number | null => {
  if (raw === null || !/^\s*\d+(?:\.\d+)?\s*$/.test(raw)) return null
  return Number(raw)
}

/** A reset given as a Go duration (`6m0s`), seconds (`1.5`), or an absolute RFC 3339 time (Anthropic). */
function resetMs(raw: string | null, now: number): number | null {
  if (raw === null) return null
  const duration = parseGoDurationMs(raw)
  if (duration !== undefined) return duration
  if (!/^\d{4}-\d{2}-\d{2}T/.test(raw.trim())) return null
  const at = Date.parse(raw.trim())
  return Number.isNaN(at) ? null : Math.max(0, at - now)
}

function window(
  headers: HeaderReader,
  now: number,
  names: [string, string, string][],
): LimitWindow | undefined {
  for (const [limit, remaining, reset] of names) {
    const found: LimitWindow = {
      limit: count(headers.get(limit)),
      remaining: count(headers.get(remaining)),
      resetMs: resetMs(headers.get(reset), now),
    }
    if (found.limit !== null || found.remaining !== null || found.resetMs !== null) return found
  }
  return undefined
}

/** The header names of OpenAI's dialect. */
const openaiNames: Record<'requests' | 'tokens', [string, string, string]> = {
  requests: ['x-ratelimit-limit-requests', 'x-ratelimit-remaining-requests', 'x-ratelimit-reset-requests'],
  tokens: ['x-ratelimit-limit-tokens', 'x-ratelimit-remaining-tokens', 'x-ratelimit-reset-tokens'],
}

/**
 * False when `headers` can list its names (a Web `Headers`) and none of them is a rate-limit header of
 * any dialect below: one pass over a few names instead of 18 lookups on every answer of an upstream that
 * sends none.
 */
function mayCarryLimits(headers: HeaderReader): boolean {
  const keys = (headers as Partial<Pick<Headers, 'keys'>>).keys
  if (typeof keys !== 'function') return true
  for (const name of keys.call(headers))
    if (name.includes('ratelimit') || name.startsWith('x-tokenlimit')) return true
  return false
}

/**
 * Reads rate-limit headers in OpenAI's dialect (`x-ratelimit-{limit,remaining,reset}-{requests,tokens}`,
 * resets as Go durations; also Groq and Azure, which sends only `remaining`), Anthropic's
 * (`anthropic-ratelimit-{requests,tokens}-{limit,remaining,reset}`, resets as RFC 3339 times) and
 * Together's (`x-ratelimit-{limit,remaining,reset}`, `x-tokenlimit-{limit,remaining}`).
 *
 * @example
 * readRateLimits(new Headers({ 'x-ratelimit-limit-requests': '60', 'x-ratelimit-remaining-requests': '59',
 *   'x-ratelimit-reset-requests': '1s' }), Date.now())
 * // { requests: { limit: 60, remaining: 59, resetMs: 1000 } }
 */
export function readRateLimits(headers: HeaderReader, now: number): RateLimitInfo {
  const info: RateLimitInfo = {}
  // Fast path: both budgets in OpenAI's dialect (OpenAI, Azure, Groq, vLLM behind a gateway).
  const openaiRequests = window(headers, now, [openaiNames.requests])
  const openaiTokens = openaiRequests && window(headers, now, [openaiNames.tokens])
  if (openaiRequests && openaiTokens) return { requests: openaiRequests, tokens: openaiTokens }
  if (!mayCarryLimits(headers)) return info
  const requests = window(headers, now, [
    openaiNames.requests,
    [
      'anthropic-ratelimit-requests-limit',
      'anthropic-ratelimit-requests-remaining',
      'anthropic-ratelimit-requests-reset',
    ],
    ['x-ratelimit-limit', 'x-ratelimit-remaining', 'x-ratelimit-reset'],
  ])
  const tokens = window(headers, now, [
    openaiNames.tokens,
    [
      'anthropic-ratelimit-tokens-limit',
      'anthropic-ratelimit-tokens-remaining',
      'anthropic-ratelimit-tokens-reset',
    ],
    ['x-tokenlimit-limit', 'x-tokenlimit-remaining', 'x-tokenlimit-reset'],
  ])
  if (requests) info.requests = requests
  if (tokens) info.tokens = tokens
  return info
}

/**
 * The refill rate (units per ms) a window implies: `(limit − remaining) / reset` — the budget refills what
 * was used by the time it is full again — so a per-day limit (Groq) is read right without knowing its
 * period. Undefined when the window cannot tell (no limit, or a full budget with no reset to measure).
 *
 * @example
 * refillRate({ limit: 600, remaining: 590, resetMs: 1000 }) // 0.01 (600 per minute)
 * refillRate({ limit: 600, remaining: 600, resetMs: 0 })    // undefined
 */
export function refillRate(window: LimitWindow): number | undefined {
  const { limit, remaining, resetMs } = window
  if (limit === null || limit <= 0 || remaining === null || resetMs === null) return undefined
  if (resetMs <= 0 || remaining >= limit) return undefined
  return Math.min(limit / 100, Math.max(limit / 86_400_000, (limit - remaining) / resetMs))
}
