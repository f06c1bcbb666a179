import { describe, expect, it } from 'vitest'
import { rateLimiter } from './rate-limiter.ts'

describe('rateLimiter, quantized dialect', () => {
  it('enforces 1,200 rpm as 20 per fixed second while the headers speak per minute', () => {
    const start = 1_000_000 // a window boundary
    const limiter = rateLimiter(1_200, undefined, start, { quantizedWindowMs: 1_000 })
    for (let i = 0; i < 20; i++) expect(limiter?.check(1, start + i).ok).toBe(true)
    const refused = limiter?.check(1, start + 500)
    expect(refused?.ok).toBe(false)
    expect(refused?.exceeded).toBe('requests')
    expect(refused?.waitMs).toBe(500)
    expect(refused?.headers['x-ratelimit-limit-requests']).toBe('1200')
    expect(Number(refused?.headers['x-ratelimit-remaining-requests'])).toBe(1190) // promised, yet refused
    expect(limiter?.check(1, start + 1_000).ok).toBe(true)
  })

  it('without quantizedWindowMs the whole per-minute bucket may go at once', () => {
    const limiter = rateLimiter(1_200, undefined, 0)
    for (let i = 0; i < 1_200; i++) expect(limiter?.check(1, 0).ok).toBe(true)
    expect(limiter?.check(1, 0).ok).toBe(false)
  })
})
