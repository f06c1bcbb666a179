import { describe, expect, it } from 'vitest'
import { chatLines, driveUntilStatus, okAnswer, scriptedProvider, uploadLines } from './fixtures.ts'
import type { ScenarioContext, ScenarioSetup } from './scenario-setup.ts'
import { scriptedNativeProvider } from './scripted-native.ts'

const dayMs = 86_400_000
/** USD per million tokens. */
const prices = { 'gpt-test': { input: 2, cachedInput: 1, output: 8 } }

/** Creates a batch of `n` chat lines for `scope` (default: the context's tenant). */
async function createBatch(ctx: ScenarioContext, n: number, scope = ctx.scope) {
  const input = await uploadLines(ctx.engine, scope, chatLines(n))
  return ctx.engine.batches.create(scope, {
    input_file_id: input.id,
    endpoint: '/v1/chat/completions',
    completion_window: '24h',
  })
}

/** The usage of the context's tenant today, by `groupBy`. */
const usageToday = (ctx: ScenarioContext, groupBy: ('model' | 'mode' | 'provider' | 'day')[]) =>
  ctx.engine.usage({
    ownerId: ctx.scope.ownerId,
    from: ctx.clock.now() - dayMs,
    to: ctx.clock.now() + dayMs,
    groupBy,
  })

/** `engine.usage()` end to end: lines counted once per tenant, priced, native at the batch discount. */
export function describeUsageScenarios(setup: ScenarioSetup): void {
  describe('usage', () => {
    it('sums the tenant’s recorded lines per model and prices them', async () => {
      const ctx = await setup([scriptedProvider('p', okAnswer)], { usage: { prices } })
      const other = { ownerId: `${ctx.scope.ownerId}-other` }
      const mine = await createBatch(ctx, 5)
      const theirs = await createBatch(ctx, 2, other)
      await driveUntilStatus(ctx.engine, ctx.scope, mine.id, ['completed'])
      await driveUntilStatus(ctx.engine, other, theirs.id, ['completed'])
      // 5 lines of 10 input and 5 output tokens: 50 × $2 + 25 × $8 per million.
      expect(await usageToday(ctx, ['model', 'mode'])).toEqual([
        {
          ownerId: null,
          day: null,
          provider: null,
          model: 'gpt-test',
          mode: 'emulated',
          requests: 5,
          inputTokens: 50,
          cachedTokens: 0,
          outputTokens: 25,
          reasoningTokens: 0,
          totalTokens: 75,
          costUsd: 0.0003,
          unpricedModels: [],
        },
      ])
      // Without a price table for this query's model: unpriced, not free.
      const unpriced = await ctx.engine.usage({
        ownerId: other.ownerId,
        from: ctx.clock.now() - dayMs,
        to: ctx.clock.now() + dayMs,
        prices: {},
      })
      expect(unpriced).toMatchObject([{ requests: 2, costUsd: 0, unpricedModels: ['gpt-test'] }])
      // A range before the batches ran is empty.
      expect(
        await ctx.engine.usage({ ownerId: ctx.scope.ownerId, from: 0, to: ctx.clock.now() - 2 * dayMs }),
      ).toEqual([])
    })

    it('adds a native batch once, when its results are imported, at half price', async () => {
      const provider = scriptedNativeProvider('native')
      const ctx = await setup([provider], { usage: { prices } })
      const created = await createBatch(ctx, 3)
      let providerBatchId: string | null = null
      for (let i = 0; i < 200 && providerBatchId === null; i++) {
        await ctx.engine.runner.tick({ budgetMs: 20 })
        providerBatchId =
          (await ctx.engine.batches.get(ctx.scope, created.id)).batchkit?.provider_batch_id ?? null
      }
      expect(providerBatchId).not.toBeNull()
      provider.set(providerBatchId!, 'in_progress', 1)
      await driveUntilStatus(ctx.engine, ctx.scope, created.id, ['in_progress'])
      expect(await usageToday(ctx, ['mode'])).toEqual([])
      provider.set(providerBatchId!, 'completed', 3)
      await driveUntilStatus(ctx.engine, ctx.scope, created.id, ['completed'])
      const [row] = await usageToday(ctx, ['provider', 'model', 'mode'])
      // 30 × $2 + 15 × $8 per million, halved.
      expect(row).toMatchObject({
        provider: 'native',
        model: 'gpt-test',
        mode: 'native',
        requests: 3,
        inputTokens: 30,
        outputTokens: 15,
        totalTokens: 45,
        costUsd: 0.00009,
      })
      // The import is in the rollup once: adding it again (an import run again) changes nothing.
      expect(
        await ctx.store.usage?.addImported(created.id, [{ model: 'gpt-test', requests: 3, ...zero }], 0),
      ).toBe(false)
      expect(await usageToday(ctx, ['mode'])).toMatchObject([{ requests: 3, totalTokens: 45 }])
    })
  })
}

const zero = { inputTokens: 0, cachedTokens: 0, outputTokens: 0, reasoningTokens: 0, totalTokens: 0 }
