import { describe, expect, it } from 'vitest'
import { TokenBucket } from './token-bucket.ts'

describe('TokenBucket', () => {
  it('starts full, runs dry, and refills continuously', () => {
    const bucket = TokenBucket.perMinute(60, 0)
    for (let i = 0; i < 60; i++) {
      expect(bucket.waitMs(1, 0)).toBe(0)
      bucket.take(1, 0)
    }
    expect(bucket.remaining(0)).toBe(0)
    expect(bucket.waitMs(1, 0)).toBeCloseTo(1000)
    expect(bucket.fullInMs(0)).toBeCloseTo(60_000)
    expect(bucket.waitMs(1, 1000)).toBe(0)
    bucket.take(1, 1000)
    expect(bucket.remaining(30_000)).toBe(29)
    bucket.fill(30_000)
    expect(bucket.remaining(30_000)).toBe(60)
    expect(bucket.fullInMs(30_000)).toBe(0)
  })

  it('lets a cost above the capacity through when full, then waits out the debt', () => {
    const bucket = new TokenBucket(10, 10 / 1000, 10, 0)
    expect(bucket.waitMs(25, 0)).toBe(0)
    bucket.take(25, 0)
    expect(bucket.level).toBe(-15)
    expect(bucket.remaining(0)).toBe(0)
    expect(bucket.waitMs(1, 0)).toBeCloseTo(1600)
    bucket.give(100, 0)
    expect(bucket.level).toBe(10)
  })

  it('never refills with a zero rate, and never goes back in time', () => {
    const bucket = new TokenBucket(5, 0, 0, 100)
    expect(bucket.waitMs(1, 200)).toBe(Number.POSITIVE_INFINITY)
    bucket.reset(5, 1, 2, 300)
    bucket.refill(250)
    expect(bucket.level).toBe(2)
    expect(bucket.at).toBe(300)
  })
})
