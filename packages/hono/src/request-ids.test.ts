import { describe, expect, it } from 'vitest'
import { requestIds } from './request-ids.ts'

describe('requestIds', () => {
  it('makes req_ ids of 32 hex digits, distinct across pool refills', () => {
    const next = requestIds()
    const ids = new Set<string>()
    for (let i = 0; i < 1_000; i++) {
      const id = next()
      expect(id).toMatch(/^req_[0-9a-f]{32}$/)
      ids.add(id)
    }
    expect(ids.size).toBe(1_000)
  })
})
