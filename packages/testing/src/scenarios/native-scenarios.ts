import type { BatchObject } from '@batchkit/core'
import { describe, expect, it } from 'vitest'
import { chatLines, driveUntilStatus, fileLines, uploadLines } from './fixtures.ts'
import type { ScenarioContext, ScenarioSetup } from './scenario-setup.ts'
import { scriptedNativeProvider } from './scripted-native.ts'

/** Creates a native batch of `n` chat lines and drives it until the provider has it. */
async function submitted(
  { engine, scope }: ScenarioContext,
  n: number,
): Promise<{ created: BatchObject; providerBatchId: string }> {
  const input = await uploadLines(engine, scope, chatLines(n))
  const created = await engine.batches.create(scope, {
    input_file_id: input.id,
    endpoint: '/v1/chat/completions',
    completion_window: '24h',
  })
  expect(created.batchkit?.mode).toBe('native')
  let providerBatchId: string | null = null
  for (let i = 0; i < 200 && providerBatchId === null; i++) {
    await engine.runner.tick({ budgetMs: 20 })
    providerBatchId = (await engine.batches.get(scope, created.id)).batchkit?.provider_batch_id ?? null
  }
  if (providerBatchId === null) throw new Error('never submitted')
  return { created, providerBatchId }
}

/** Native mode through the engine: the same lifecycle, run by a provider's own batch API. */
export function describeNativeScenarios(setup: ScenarioSetup): void {
  describe('native mode', () => {
    it('follows the provider to completed and imports its results under batchkit ids', async () => {
      const provider = scriptedNativeProvider('native')
      const ctx = await setup([provider])
      const { created, providerBatchId } = await submitted(ctx, 3)
      provider.set(providerBatchId, 'in_progress', 1)
      const running = await driveUntilStatus(ctx.engine, ctx.scope, created.id, ['in_progress'])
      expect(running.in_progress_at).not.toBeNull()
      provider.set(providerBatchId, 'completed', 3)
      const done = await driveUntilStatus(ctx.engine, ctx.scope, created.id, ['completed'])
      expect(done.request_counts).toEqual({ total: 3, completed: 3, failed: 0 })
      expect(done.finalizing_at).not.toBeNull()
      expect(done.completed_at).not.toBeNull()
      const lines = await fileLines(ctx.engine, ctx.scope, done.output_file_id!)
      expect(lines.map((l) => l.custom_id)).toEqual(['req-1', 'req-2', 'req-3'])
      for (const line of lines) expect(line.id).toMatch(/^batch_req_[0-9a-f]{24}$/)
      expect(provider.submits).toBe(1)
      expect((await ctx.store.batches.get(ctx.scope, created.id))?.wakeAt).toBeNull()
    })

    it('cancels at the provider, keeps what it finished, and closes the rest as cancelled', async () => {
      const provider = scriptedNativeProvider('native')
      const ctx = await setup([provider])
      const { created, providerBatchId } = await submitted(ctx, 4)
      provider.set(providerBatchId, 'in_progress', 1)
      await driveUntilStatus(ctx.engine, ctx.scope, created.id, ['in_progress'])
      await ctx.engine.batches.cancel(ctx.scope, created.id)
      for (let i = 0; i < 200 && !provider.batches.get(providerBatchId)!.cancelRequested; i++) {
        await ctx.engine.runner.tick({ budgetMs: 20 })
      }
      expect(provider.batches.get(providerBatchId)!.cancelRequested).toBe(true)
      provider.set(providerBatchId, 'cancelled', 1)
      const done = await driveUntilStatus(ctx.engine, ctx.scope, created.id, ['cancelled'])
      expect(done.request_counts).toEqual({ total: 4, completed: 1, failed: 3 })
      const errors = await fileLines(ctx.engine, ctx.scope, done.error_file_id!)
      expect(errors.map((l) => (l.error as { code: string }).code)).toEqual([
        'batch_cancelled',
        'batch_cancelled',
        'batch_cancelled',
      ])
    })

    it('ends failed with the provider`s errors when it fails a batch it had started', async () => {
      const provider = scriptedNativeProvider('native')
      const ctx = await setup([provider])
      const { created, providerBatchId } = await submitted(ctx, 2)
      provider.set(providerBatchId, 'in_progress', 0)
      await driveUntilStatus(ctx.engine, ctx.scope, created.id, ['in_progress'])
      provider.set(providerBatchId, 'failed')
      const done = await driveUntilStatus(ctx.engine, ctx.scope, created.id, ['failed'])
      expect(done.errors?.data).toEqual([
        { code: 'provider_failed_it', message: 'It broke.', param: null, line: null },
      ])
      expect(done.failed_at).not.toBeNull()
    })

    it('fails a native batch whose input has bad lines before anything reaches the provider', async () => {
      const provider = scriptedNativeProvider('native')
      const { engine, scope } = await setup([provider])
      const input = await uploadLines(engine, scope, [...chatLines(1), ...chatLines(1)])
      const created = await engine.batches.create(scope, {
        input_file_id: input.id,
        endpoint: '/v1/chat/completions',
        completion_window: '24h',
      })
      const done = await driveUntilStatus(engine, scope, created.id, ['failed'])
      expect(done.errors?.data[0]).toMatchObject({ code: 'duplicate_custom_id', line: 2 })
      expect(provider.submits).toBe(0)
    })

    it('expires a native batch that never reached the provider before its window closed', async () => {
      const provider = scriptedNativeProvider('native')
      const ctx = await setup([provider])
      const input = await uploadLines(ctx.engine, ctx.scope, chatLines(2))
      const created = await ctx.engine.batches.create(ctx.scope, {
        input_file_id: input.id,
        endpoint: '/v1/chat/completions',
        completion_window: '24h',
      })
      ctx.clock.advance(25 * 3600_000)
      const done = await driveUntilStatus(ctx.engine, ctx.scope, created.id, ['expired'])
      expect(done.expired_at).not.toBeNull()
      expect(provider.submits).toBe(0)
    })
  })
}
