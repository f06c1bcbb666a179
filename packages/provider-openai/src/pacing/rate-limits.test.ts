import { describe, expect, it } from 'vitest'
import { estimateTokens, usedTokens } from './cost.ts'
import { readRateLimits, refillRate } from './rate-limits.ts'

describe('readRateLimits', () => {
  const now = Date.parse('2026-03-01T12:00:00Z')

  it("reads OpenAI's and Groq's x-ratelimit-* headers with Go-duration resets", () => {
    const info = readRateLimits(
      new Headers({
        'x-ratelimit-limit-requests': '14400',
        'x-ratelimit-remaining-requests': '14370',
        'x-ratelimit-reset-requests': '2m59.56s',
        'x-ratelimit-limit-tokens': '6000',
        'x-ratelimit-remaining-tokens': '5997',
        'x-ratelimit-reset-tokens': '30ms',
      }),
      now,
    )
    expect(info).toEqual({
      requests: { limit: 14400, remaining: 14370, resetMs: 179_560 },
      tokens: { limit: 6000, remaining: 5997, resetMs: 30 },
    })
  })

  it("reads Anthropic's absolute resets and Together's token headers", () => {
    expect(
      readRateLimits(
        new Headers({
          'anthropic-ratelimit-requests-limit': '50',
          'anthropic-ratelimit-requests-remaining': '49',
          'anthropic-ratelimit-requests-reset': '2026-03-01T12:00:01.5Z',
        }),
        now,
      ),
    ).toEqual({ requests: { limit: 50, remaining: 49, resetMs: 1500 } })
    expect(
      readRateLimits(new Headers({ 'x-tokenlimit-limit': '100000', 'x-tokenlimit-remaining': '99000' }), now),
    ).toEqual({ tokens: { limit: 100_000, remaining: 99_000, resetMs: null } })
  })

  it('keeps what Azure sends (remaining only) and is empty without headers', () => {
    expect(readRateLimits(new Headers({ 'x-ratelimit-remaining-requests': '3' }), now)).toEqual({
      requests: { limit: null, remaining: 3, resetMs: null },
    })
    expect(readRateLimits(new Headers(), now)).toEqual({})
    expect(
      readRateLimits(new Headers({ 'content-type': 'application/json', 'x-request-id': 'r' }), now),
    ).toEqual({})
  })

  it('reads any header reader, listable or not, mixed case too', () => {
    const values: Record<string, string> = { 'x-ratelimit-limit': '60', 'x-ratelimit-remaining': '59' }
    const getOnly = { get: (name: string) => values[name] ?? null }
    const expected = { requests: { limit: 60, remaining: 59, resetMs: null } }
    expect(readRateLimits(getOnly, now)).toEqual(expected)
    expect(
      readRateLimits(new Headers({ 'X-RateLimit-Limit': '60', 'X-RateLimit-Remaining': '59' }), now),
    ).toEqual(expected)
  })
})

describe('refillRate', () => {
  it('is what was used over the time to refill it', () => {
    expect(refillRate({ limit: 600, remaining: 590, resetMs: 1000 })).toBe(0.01)
    expect(refillRate({ limit: 14_400, remaining: 14_399, resetMs: 6000 })! * 86_400_000).toBeCloseTo(14_400)
  })
  it('cannot tell from a full budget or missing fields', () => {
    expect(refillRate({ limit: 600, remaining: 600, resetMs: 0 })).toBeUndefined()
    expect(refillRate({ limit: null, remaining: 3, resetMs: null })).toBeUndefined()
  })
})

describe('token estimates', () => {
  it('adds the prompt estimate to the most the call may generate', () => {
    expect(estimateTokens({ max_tokens: 100 }, 400)).toBe(200)
    expect(estimateTokens({ max_completion_tokens: 50, n: 2 }, 4)).toBe(101)
    expect(estimateTokens({ max_output_tokens: 10 }, 0)).toBe(10)
    expect(estimateTokens({ input: 'x' }, 9)).toBe(3)
  })
  it('reads used tokens from any usage shape', () => {
    expect(usedTokens({ usage: { prompt_tokens: 10, completion_tokens: 5, total_tokens: 15 } })).toBe(15)
    expect(usedTokens({ usage: { input_tokens: 7, output_tokens: 3 } })).toBe(10)
    expect(usedTokens({ usage: null })).toBeUndefined()
    expect(usedTokens('text')).toBeUndefined()
  })
})
