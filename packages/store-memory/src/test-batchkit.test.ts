import type { ExecuteResult } from '@batchkit/core/provider'
import {
  chatLines,
  createTestBatchkit,
  fileLines,
  okAnswer,
  scriptedNativeProvider,
  scriptedProvider,
  submitChatBatch,
} from '@batchkit/testing'
import { describe, expect, it } from 'vitest'
import { memoryStore } from './index.ts'

describe('createTestBatchkit (a host test of a batch with retries and expiry)', () => {
  it('skips real backoff and retry-after: a batch whose lines are throttled twice completes at once', async () => {
    const tries = new Map<string, number>()
    const provider = scriptedProvider('p', (request): ExecuteResult => {
      const n = (tries.get(request.customId) ?? 0) + 1
      tries.set(request.customId, n)
      if (n === 1) return { type: 'response', status: 429, body: {}, retryAfterMs: 30_000 }
      if (n === 2) return { type: 'response', status: 503, body: {} }
      return okAnswer(request)
    })
    const kit = createTestBatchkit({ store: (clock) => memoryStore({ clock }), providers: [provider] })
    const { created } = await submitChatBatch(kit.engine, kit.scope, chatLines(10))
    const started = Date.now()
    const report = await kit.runUntilIdle()
    const done = await kit.engine.batches.get(kit.scope, created.id)
    expect(done.status).toBe('completed')
    expect(done.request_counts).toEqual({ total: 10, completed: 10, failed: 0 })
    expect((await fileLines(kit.engine, kit.scope, done.output_file_id!)).length).toBe(10)
    // Virtual time covered the 30 s retry-after and the backoff; real time did not.
    expect(report.advancedMs).toBeGreaterThanOrEqual(30_000)
    expect(Date.now() - started).toBeLessThan(report.advancedMs)
    await kit.close()
  })

  it('reaches expiry: a native batch the provider never finishes ends expired a day later, at once', async () => {
    const provider = scriptedNativeProvider('native', { pollIntervalMs: { initial: 60_000, max: 3_600_000 } })
    const kit = createTestBatchkit({ store: (clock) => memoryStore({ clock }), providers: [provider] })
    const { created } = await submitChatBatch(kit.engine, kit.scope, chatLines(3))
    await kit.runUntilIdle({
      until: async () =>
        (await kit.engine.batches.get(kit.scope, created.id)).batchkit?.provider_batch_id != null,
    })
    const providerBatchId = (await kit.engine.batches.get(kit.scope, created.id)).batchkit!.provider_batch_id!
    provider.set(providerBatchId, 'in_progress', 1)
    const report = await kit.runUntilIdle()
    const done = await kit.engine.batches.get(kit.scope, created.id)
    expect(done.status).toBe('expired')
    expect(done.request_counts).toEqual({ total: 3, completed: 1, failed: 2 })
    const errors = await fileLines(kit.engine, kit.scope, done.error_file_id!)
    expect(errors.map((l) => (l.error as { code: string }).code)).toEqual(['batch_expired', 'batch_expired'])
    expect(report.advancedMs).toBeGreaterThan(24 * 3_600_000)
  })

  it('stops early when told to', async () => {
    const kit = createTestBatchkit({
      store: (clock) => memoryStore({ clock }),
      providers: [scriptedProvider('p', okAnswer)],
    })
    const { created } = await submitChatBatch(kit.engine, kit.scope, chatLines(2))
    await kit.runUntilIdle({
      until: async () => (await kit.engine.batches.get(kit.scope, created.id)).status !== 'validating',
    })
    expect((await kit.engine.batches.get(kit.scope, created.id)).status).not.toBe('validating')
  })
})
