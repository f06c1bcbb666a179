import { describe, expect, it } from 'vitest'
import { pooledIds } from './pooled-ids.ts'

describe('pooledIds', () => {
  it('makes prefixed hex ids of the asked size, distinct across pool refills', () => {
    const next = pooledIds('x_', 4, 3)
    const ids = Array.from({ length: 300 }, next)
    for (const id of ids) expect(id).toMatch(/^x_[0-9a-f]{8}$/)
    expect(new Set(ids).size).toBeGreaterThan(295) // 32 random bits: a collision in 300 is unlikely
  })

  it('refuses a pool larger than one getRandomValues call can fill', () => {
    expect(() => pooledIds('x_', 16, 5_000)).toThrow(RangeError)
  })
})
