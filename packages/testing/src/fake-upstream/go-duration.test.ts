import { describe, expect, it } from 'vitest'
import { formatGoDuration } from './go-duration.ts'
import { tokenBucket } from './token-bucket.ts'

describe('tokenBucket', () => {
  it('starts full, refuses when empty, and refills continuously', () => {
    const bucket = tokenBucket(60, 0)
    for (let i = 0; i < 60; i++) expect(bucket.take(1, 0)).toBe(true)
    expect(bucket.take(1, 0)).toBe(false)
    expect(bucket.remaining(0)).toBe(0)
    expect(bucket.waitMs(1, 0)).toBeCloseTo(1000)
    expect(bucket.resetMs(0)).toBeCloseTo(60_000)
    expect(bucket.take(1, 1000)).toBe(true)
    expect(bucket.remaining(30_000)).toBe(29)
    bucket.fill(30_000)
    expect(bucket.remaining(30_000)).toBe(60)
  })
})

describe('formatGoDuration', () => {
  it('writes durations the way OpenAI does', () => {
    expect(formatGoDuration(12)).toBe('12ms')
    expect(formatGoDuration(1000)).toBe('1s')
    expect(formatGoDuration(7660)).toBe('7.66s')
    expect(formatGoDuration(360_000)).toBe('6m0s')
    expect(formatGoDuration(3_723_000)).toBe('1h2m3s')
    expect(formatGoDuration(-5)).toBe('0ms')
  })
})
