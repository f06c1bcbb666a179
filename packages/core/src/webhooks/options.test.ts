import { describe, expect, it } from 'vitest'
import { nextAttemptAt, resolveWebhookOptions } from './options.ts'

describe('nextAttemptAt', () => {
  const options = resolveWebhookOptions({ endpoints: [] })!

  it('doubles from 5 s up to an hour, and keeps retrying for 24 h before giving up', () => {
    const createdAt = 0
    let now = 0
    const delays: number[] = []
    for (let attempts = 1; ; attempts++) {
      const next = nextAttemptAt(options, { attempts, createdAt }, now, () => 0)
      if (next === null) break
      delays.push(next - now)
      now = next
    }
    expect(delays.slice(0, 5)).toEqual([5_000, 10_000, 20_000, 40_000, 80_000])
    expect(Math.max(...delays)).toBe(3_600_000)
    // The last attempt is at least 24 h after the first, and not much more.
    expect(now).toBeGreaterThanOrEqual(24 * 3_600_000)
    expect(now).toBeLessThan(25 * 3_600_000)
    expect(delays.length).toBeLessThan(40)
  })

  it('adds at most 10 % jitter', () => {
    expect(nextAttemptAt(options, { attempts: 1, createdAt: 0 }, 0, () => 0.999)).toBe(5_500)
  })
})

describe('resolveWebhookOptions', () => {
  it('refuses an endpoint that is not http(s) or whose secret is not whsec_ Base64, naming it', () => {
    const secret = 'whsec_c2VjcmV0'
    expect(() => resolveWebhookOptions({ endpoints: [{ url: 'ftp://x/hook', secret }] })).toThrow(
      /'ftp:\/\/x\/hook' is not an http\(s\) URL/,
    )
    expect(() => resolveWebhookOptions({ endpoints: [{ url: 'nope', secret }] })).toThrow(/'nope'/)
    expect(() => resolveWebhookOptions({ endpoints: [{ url: 'https://x/hook', secret: 'plain' }] })).toThrow(
      /secret of 'https:\/\/x\/hook' must be 'whsec_'/,
    )
    expect(resolveWebhookOptions({ endpoints: [{ url: 'https://x/hook', secret }] })?.timeoutMs).toBe(10_000)
    expect(resolveWebhookOptions(undefined)).toBeUndefined()
  })
})
