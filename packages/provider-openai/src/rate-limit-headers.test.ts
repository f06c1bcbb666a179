import { describe, expect, it } from 'vitest'
import { exhaustedResetMs, parseGoDurationMs, readRateLimitHeaders } from './rate-limit-headers.ts'

describe('parseGoDurationMs', () => {
  it.each([
    ['12ms', 12],
    ['6m0s', 360_000],
    ['2s81ms', 2081],
    ['1h2m3s', 3_723_000],
    ['7.66s', 7660],
    ['2m59.56s', 179_560],
    ['1s', 1000],
    ['0s', 0],
    ['1m30s', 90_000],
    ['1.5ms', 1.5],
    ['500us', 0.5],
    ['20µs', 0.02],
    ['100ns', 0],
    ['60', 60_000],
    [' 3s ', 3000],
  ])('%s → %d ms', (text, ms) => {
    expect(parseGoDurationMs(text)).toBe(ms)
  })

  it.each(['', 'soon', '1d', '-1s', 's', '1s 2ms', '2024-01-01T00:00:00Z', '1.s'])('rejects %j', (text) => {
    expect(parseGoDurationMs(text)).toBeUndefined()
  })

  it('accepts null and undefined', () => {
    expect(parseGoDurationMs(null)).toBeUndefined()
    expect(parseGoDurationMs(undefined)).toBeUndefined()
  })
})

describe('readRateLimitHeaders', () => {
  it("reads OpenAI's six headers", () => {
    const headers = new Headers({
      'x-ratelimit-limit-requests': '60',
      'x-ratelimit-limit-tokens': '150000',
      'x-ratelimit-remaining-requests': '59',
      'x-ratelimit-remaining-tokens': '149984',
      'x-ratelimit-reset-requests': '1s',
      'x-ratelimit-reset-tokens': '6m0s',
    })
    expect(readRateLimitHeaders(headers)).toEqual({
      limitRequests: 60,
      remainingRequests: 59,
      resetRequestsMs: 1000,
      limitTokens: 150_000,
      remainingTokens: 149_984,
      resetTokensMs: 360_000,
    })
  })

  it('keeps what Azure sends (remaining only) and nulls the rest', () => {
    const snapshot = readRateLimitHeaders(
      new Headers({ 'x-ratelimit-remaining-requests': '3', 'x-ratelimit-remaining-tokens': 'oops' }),
    )
    expect(snapshot).toEqual({
      limitRequests: null,
      remainingRequests: 3,
      resetRequestsMs: null,
      limitTokens: null,
      remainingTokens: null,
      resetTokensMs: null,
    })
  })

  it('is undefined without rate-limit headers', () => {
    expect(readRateLimitHeaders(new Headers({ 'content-type': 'application/json' }))).toBeUndefined()
  })
})

describe('exhaustedResetMs', () => {
  const base = {
    limitRequests: 60,
    remainingRequests: 5,
    resetRequestsMs: 1200,
    limitTokens: 1000,
    remainingTokens: 10,
    resetTokensMs: 7660,
  }
  it('is the reset of the exhausted budget, the longer when both are', () => {
    expect(exhaustedResetMs(base)).toBeUndefined()
    expect(exhaustedResetMs({ ...base, remainingRequests: 0 })).toBe(1200)
    expect(exhaustedResetMs({ ...base, remainingTokens: 0 })).toBe(7660)
    expect(exhaustedResetMs({ ...base, remainingRequests: 0, remainingTokens: 0 })).toBe(7660)
  })
})
