import { describe, expect, it } from 'vitest'
import { hash32, unitInterval } from './hash.ts'

const PINNED_ABC = 482_950_588
const PINNED_UNIT = 0.1704797870479524

describe('hash32 and unitInterval', () => {
  it('are stable across runs and runtimes (pinned values)', () => {
    // Pinned: simulations (mock provider faults, fake upstream) must replay identically after upgrades.
    expect(hash32('')).toBe(hash32('', 0))
    expect(hash32('batch_req_1')).toBe(hash32('batch_req_1'))
    expect(hash32('batch_req_1', 1)).not.toBe(hash32('batch_req_1', 2))
    expect(hash32('abc')).toBe(PINNED_ABC)
    expect(unitInterval(1, 'batch_1-batch_req_1', 0)).toBeCloseTo(PINNED_UNIT, 12)
  })

  it('spreads values evenly over [0, 1)', () => {
    const buckets = new Array<number>(10).fill(0)
    for (let i = 0; i < 10_000; i++) {
      const x = unitInterval(7, `line-${i}`, 1)
      expect(x).toBeGreaterThanOrEqual(0)
      expect(x).toBeLessThan(1)
      buckets[Math.floor(x * 10)]! += 1
    }
    for (const count of buckets) expect(count).toBeGreaterThan(900)
  })
})
