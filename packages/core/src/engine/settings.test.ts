import { describe, expect, it, vi } from 'vitest'
import type { Store } from '../contracts/store.ts'
import { defaultLimits } from '../limits.ts'
import { createBatchEngine } from './engine.ts'
import { defaultRunnerOptions, resolveSettings } from './settings.ts'

const store = {} as Store

describe('resolveSettings', () => {
  it('keeps every default that an option leaves undefined', () => {
    const settings = resolveSettings({
      store,
      providers: [],
      limits: { maxLineBytes: undefined, maxRequestsPerBatch: 10 },
      runner: { leaseMs: undefined, batchesPerTick: 2, backoff: { baseMs: undefined, maxMs: 5_000 } },
    })
    expect(settings.limits).toEqual({ ...defaultLimits, maxRequestsPerBatch: 10 })
    expect(settings.runner).toEqual({
      ...defaultRunnerOptions,
      batchesPerTick: 2,
      backoff: { baseMs: defaultRunnerOptions.backoff.baseMs, maxMs: 5_000 },
    })
  })

  it('draws the worker id once, on first use, unless one is given', () => {
    const drawn = resolveSettings({ store, providers: [] })
    expect(drawn.workerId()).toMatch(/^worker-[0-9a-f]{12}$/)
    expect(drawn.workerId()).toBe(drawn.workerId())
    expect(resolveSettings({ store, providers: [], workerId: 'w1' }).workerId()).toBe('w1')
  })
})

describe('createBatchEngine at global scope', () => {
  it('draws no random values and does no cryptography until used (Cloudflare Workers forbid both there)', async () => {
    const random = vi.spyOn(crypto, 'getRandomValues').mockImplementation(() => {
      throw new Error('Disallowed operation called within global scope: generating random values')
    })
    const importKey = vi.spyOn(crypto.subtle, 'importKey')
    try {
      createBatchEngine({ store, providers: [] })
      createBatchEngine({ store, providers: [], secret: 'a-long-enough-host-secret' })
      expect(importKey).not.toHaveBeenCalled()
    } finally {
      random.mockRestore()
      importKey.mockRestore()
    }
  })
})
