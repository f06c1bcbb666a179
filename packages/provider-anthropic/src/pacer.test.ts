import { describe, expect, it } from 'vitest'
import { AnthropicPacer } from './pacer.ts'
import { readAnthropicRateLimits, retryAfterMs } from './rate-limit-headers.ts'

describe('readAnthropicRateLimits', () => {
  it('reads every budget with its RFC 3339 reset', () => {
    const headers = new Headers({
      'anthropic-ratelimit-requests-limit': '50',
      'anthropic-ratelimit-requests-remaining': '49',
      'anthropic-ratelimit-requests-reset': '2026-01-01T00:00:01Z',
      'anthropic-ratelimit-input-tokens-limit': '30000',
      'anthropic-ratelimit-input-tokens-remaining': '29000',
      'anthropic-ratelimit-input-tokens-reset': '2026-01-01T00:00:02Z',
      'anthropic-ratelimit-output-tokens-limit': '8000',
      'anthropic-ratelimit-output-tokens-remaining': '0',
    })
    expect(readAnthropicRateLimits(headers)).toEqual({
      requests: { limit: 50, remaining: 49, resetAt: Date.parse('2026-01-01T00:00:01Z') },
      inputTokens: { limit: 30000, remaining: 29000, resetAt: Date.parse('2026-01-01T00:00:02Z') },
      outputTokens: { limit: 8000, remaining: 0, resetAt: undefined },
    })
    expect(readAnthropicRateLimits(new Headers())).toEqual({})
  })

  it('reads retry-after in seconds or as an HTTP date', () => {
    expect(retryAfterMs(new Headers({ 'retry-after': '3' }))).toBe(3000)
    expect(retryAfterMs(new Headers({ 'retry-after': new Date(10_000).toUTCString() }), 4000)).toBe(6000)
    expect(retryAfterMs(new Headers())).toBeUndefined()
  })
})

describe('AnthropicPacer', () => {
  it('spends a configured rpm and waits for its refill', async () => {
    const pacer = new AnthropicPacer({ rpm: 60, now: () => 0 })
    const signal = new AbortController().signal
    for (let i = 0; i < 60; i++)
      expect(await pacer.acquire({ inputTokens: 1 }, 10_000, signal)).toEqual({ ok: true })
    // The burst of 60 is spent: 60 per minute refill one a second.
    expect(pacer.waitMs({ inputTokens: 1 })).toBe(1_000)
  })

  it('learns budgets from headers and closes the gate until an exhausted budget resets', () => {
    let now = 1_000
    const pacer = new AnthropicPacer({ now: () => now })
    pacer.settle({ limits: { requests: { limit: 60, remaining: 0, resetAt: 3_000 } }, status: 200 })
    expect(pacer.waitMs({ inputTokens: 1 })).toBe(2_000)
    now = 3_000
    expect(pacer.waitMs({ inputTokens: 1 })).toBe(0)
    pacer.settle({ limits: { inputTokens: { limit: 600, remaining: 10, resetAt: undefined } } })
    // 600 per minute = 10 per second: 100 tokens with 10 left take 9 s.
    expect(pacer.waitMs({ inputTokens: 100 })).toBe(9_000)
  })

  it('holds every call until a 429 retry-after passed, and gives up past the deadline', async () => {
    let now = 0
    const pacer = new AnthropicPacer({ now: () => now })
    pacer.settle({ limits: {}, status: 429, retryAfterMs: 5_000 })
    expect(pacer.waitMs({ inputTokens: 1 })).toBe(5_000)
    const signal = new AbortController().signal
    expect(await pacer.acquire({ inputTokens: 1 }, 1_000, signal)).toEqual({
      ok: false,
      reason: 'deadline',
      retryAfterMs: 5_000,
    })
    now = 5_000
    expect(await pacer.acquire({ inputTokens: 1 }, 10_000, signal)).toEqual({ ok: true })
  })
})
