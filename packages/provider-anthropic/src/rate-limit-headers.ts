/** Reads a response header (a `Headers`, or anything with `get`). */
export interface HeaderReader {
  get(name: string): string | null
}

/** One Anthropic rate-limit budget as reported by its headers. */
export interface RateLimitBudget {
  limit: number
  remaining: number
  /** When the budget is full again (epoch ms), from the RFC 3339 `reset`. */
  resetAt: number | undefined
}

/** The budgets an Anthropic answer reported (`anthropic-ratelimit-*`). */
export interface AnthropicRateLimits {
  requests?: RateLimitBudget
  inputTokens?: RateLimitBudget
  outputTokens?: RateLimitBudget
}

const budgetNames = {
  requests: 'requests',
  inputTokens: 'input-tokens',
  outputTokens: 'output-tokens',
} as const

/** A non-negative number header, or undefined. */
function numberHeader(headers: HeaderReader, name: string): number | undefined {
  const raw = headers.get(name)
  if (raw === null || raw.trim() === '') return undefined
  const value = Number(raw)
  return Number.isFinite(value) && value >= 0 ? value : undefined
}

/**
 * Reads `anthropic-ratelimit-{requests,input-tokens,output-tokens}-{limit,remaining,reset}` (reset is
 * an RFC 3339 time). Budgets without both limit and remaining are left out.
 *
 * @example
 * readAnthropicRateLimits(response.headers).requests // { limit: 50, remaining: 49, resetAt: 1760000060000 }
 */
export function readAnthropicRateLimits(headers: HeaderReader): AnthropicRateLimits {
  const limits: AnthropicRateLimits = {}
  for (const [key, name] of Object.entries(budgetNames) as [keyof AnthropicRateLimits, string][]) {
    const limit = numberHeader(headers, `anthropic-ratelimit-${name}-limit`)
    const remaining = numberHeader(headers, `anthropic-ratelimit-${name}-remaining`)
    if (limit === undefined || remaining === undefined) continue
    const reset = Date.parse(headers.get(`anthropic-ratelimit-${name}-reset`) ?? '')
    limits[key] = { limit, remaining, resetAt: Number.isNaN(reset) ? undefined : reset }
  }
  return limits
}

/**
 * The delay `retry-after` asks for in ms (seconds, or an HTTP date), or undefined without one.
 *
 * @example
 * retryAfterMs(new Headers({ 'retry-after': '3' })) // 3000
 */
export function retryAfterMs(headers: HeaderReader, now: number = Date.now()): number | undefined {
  const raw = headers.get('retry-after')?.trim()
  if (!raw) return undefined
  if (/^\d+(\.\d+)?$/.test(raw)) return Math.round(Number(raw) * 1000)
  const at = Date.parse(raw)
  return Number.isNaN(at) ? undefined : Math.max(0, at - now)
}
