import { describe, expect, it } from 'vitest'
import { parseRetryAfterMs } from './retry-after.ts'

const h = (init: Record<string, string>): Headers => new Headers(init)

describe('parseRetryAfterMs', () => {
  it('prefers retry-after-ms (float ms)', () => {
    expect(parseRetryAfterMs(h({ 'retry-after-ms': '1500.5', 'retry-after': '9' }))).toBe(1500.5)
  })

  it('reads retry-after as float seconds', () => {
    expect(parseRetryAfterMs(h({ 'retry-after': '2' }))).toBe(2000)
    expect(parseRetryAfterMs(h({ 'retry-after': '0.25' }))).toBe(250)
    expect(parseRetryAfterMs(h({ 'retry-after': '0' }))).toBe(0)
  })

  it('reads retry-after as an HTTP date relative to now', () => {
    const now = Date.parse('Wed, 21 Oct 2015 07:28:00 GMT')
    expect(parseRetryAfterMs(h({ 'retry-after': 'Wed, 21 Oct 2015 07:28:30 GMT' }), now)).toBe(30_000)
    expect(parseRetryAfterMs(h({ 'retry-after': 'Wed, 21 Oct 2015 07:27:00 GMT' }), now)).toBe(0)
  })

  it('ignores absent, negative and malformed values', () => {
    expect(parseRetryAfterMs(h({}))).toBeUndefined()
    expect(parseRetryAfterMs(h({ 'retry-after': '-3' }))).toBeUndefined()
    expect(parseRetryAfterMs(h({ 'retry-after': 'soon' }))).toBeUndefined()
    expect(parseRetryAfterMs(h({ 'retry-after-ms': 'NaN', 'retry-after': '1' }))).toBe(1000)
    expect(parseRetryAfterMs(h({ 'retry-after': '12abc' }))).toBeUndefined()
  })
})
