import { describe, expect, it } from 'vitest'
import { requestLineIds } from './line-ids.ts'

describe('requestLineIds', () => {
  it('makes batch_req_ ids of 24 hex digits, distinct across pool refills', () => {
    const next = requestLineIds()
    const ids = new Set<string>()
    for (let i = 0; i < 2_000; i++) {
      const id = next()
      expect(id).toMatch(/^batch_req_[0-9a-f]{24}$/)
      ids.add(id)
    }
    expect(ids.size).toBe(2_000)
  })
})
