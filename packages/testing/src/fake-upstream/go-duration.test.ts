import { describe, expect, it } from 'vitest'
import { formatGoDuration } from './go-duration.ts'

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
