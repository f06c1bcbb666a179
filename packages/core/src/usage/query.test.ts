import { describe, expect, it } from 'vitest'
import type { UsageRecord } from '../contracts/store.ts'
import { utcDay } from './day.ts'
import { costOf, priceOf } from './prices.ts'
import { summarizeUsage } from './query.ts'

const record = (fields: Partial<UsageRecord>): UsageRecord => ({
  ownerId: 'o',
  day: '2026-12-05',
  provider: 'p',
  model: 'gpt-4o-mini',
  mode: 'emulated',
  requests: 1,
  inputTokens: 1_000_000,
  cachedTokens: 0,
  outputTokens: 1_000_000,
  reasoningTokens: 0,
  totalTokens: 2_000_000,
  ...fields,
})
const prices = { 'gpt-4o-mini': { input: 0.15, cachedInput: 0.075, output: 0.6 } }

describe('usage cost', () => {
  it('prices input, cached input and output per million tokens, native at half price', () => {
    expect(costOf(record({}), prices['gpt-4o-mini'])).toBeCloseTo(0.75)
    expect(costOf(record({ cachedTokens: 1_000_000 }), prices['gpt-4o-mini'])).toBeCloseTo(0.675)
    expect(costOf(record({ mode: 'native' }), prices['gpt-4o-mini'])).toBeCloseTo(0.375)
  })

  it('finds a dated snapshot by its model name', () => {
    expect(priceOf(prices, 'gpt-4o-mini-2024-07-18')).toBe(prices['gpt-4o-mini'])
    expect(priceOf(prices, 'gpt-4o')).toBeUndefined()
  })

  it('sums by groupBy, pricing each record by its own model and mode, listing unpriced models', () => {
    const rows = summarizeUsage(
      [
        record({}),
        record({ mode: 'native', day: '2026-12-06' }),
        record({ model: 'local-llama', requests: 2 }),
      ],
      { groupBy: ['provider'], prices },
    )
    expect(rows).toEqual([
      expect.objectContaining({
        provider: 'p',
        day: null,
        model: null,
        requests: 4,
        costUsd: 1.125,
        unpricedModels: ['local-llama'],
      }),
    ])
    expect(summarizeUsage([record({})])[0]?.costUsd).toBeNull()
  })

  it('keys days by their UTC date', () => {
    expect(utcDay(Date.UTC(2026, 11, 5, 23, 59, 59, 999))).toBe('2026-12-05')
    expect(utcDay(Date.UTC(2026, 11, 6))).toBe('2026-12-06')
  })
})
