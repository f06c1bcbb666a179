import { describe, expect, it } from 'vitest'
import { quantizedWindowMs, rateLimiter } from './rate-limiter.ts'

describe('rateLimiter', () => {
  it('enforces a per-minute limit over a minute when not quantized', () => {
    const limiter = rateLimiter(1_200, undefined, 0)
    const admitted = Array.from({ length: 100 }, () => limiter?.check(1, 0).ok).filter(Boolean).length
    expect(admitted).toBe(100)
  })

  it('quantized: enforces 1,200 rpm as 20 per second while headers speak per minute', () => {
    const limiter = rateLimiter(1_200, undefined, 0, true)
    const answers = Array.from({ length: 25 }, () => limiter?.check(1, 0))
    expect(answers.filter((a) => a?.ok).length).toBe(20)
    const refused = answers[20]
    expect(refused?.ok).toBe(false)
    expect(refused?.exceeded).toBe('requests')
    expect(refused?.waitMs).toBeCloseTo(50)
    // The headers promise 1,180 more this minute: the short window refuses them anyway.
    expect(refused?.headers['x-ratelimit-limit-requests']).toBe('1200')
    expect(refused?.headers['x-ratelimit-remaining-requests']).toBe('1180')
    // 20 per second, evenly: one more every 50 ms.
    expect(limiter?.check(1, 50).ok).toBe(true)
    expect(limiter?.check(1, 50).ok).toBe(false)
  })

  it('quantized: tokens too, over a configurable window', () => {
    const limiter = rateLimiter(undefined, 60_000, 0, { windowMs: 100 })
    expect(limiter?.check(100, 0).ok).toBe(true)
    expect(limiter?.check(1, 0)).toMatchObject({ ok: false, exceeded: 'tokens' })
    expect(limiter?.check(1, 0).headers['x-ratelimit-remaining-tokens']).toBe('59900')
  })

  it('reads the window of the option', () => {
    expect(quantizedWindowMs(true)).toBe(1_000)
    expect(quantizedWindowMs({ windowMs: 250 })).toBe(250)
    expect(quantizedWindowMs(false)).toBeUndefined()
    expect(quantizedWindowMs(undefined)).toBeUndefined()
  })
})
