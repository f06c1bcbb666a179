import { chatLines, createTestBatchkit, okAnswer, scriptedProvider, submitChatBatch } from '@batchkit/testing'
import { expect, it } from 'vitest'
import { memoryStore } from './index.ts'

it('engine.usage() reports an emulated batch once per line, scoped to its owner, with cost', async () => {
  const provider = scriptedProvider('p', (request) => okAnswer(request))
  const kit = createTestBatchkit({ store: (clock) => memoryStore({ clock }), providers: [provider] })
  const { created } = await submitChatBatch(kit.engine, kit.scope, chatLines(5))
  await kit.runUntilIdle()
  const done = await kit.engine.batches.get(kit.scope, created.id)
  expect(done.status).toBe('completed')
  const now = kit.engine.clock.now()
  const rows = await kit.engine.usage({
    ownerId: kit.scope.ownerId,
    from: now - 86_400_000,
    to: now + 1,
    groupBy: ['provider', 'mode'],
    prices: {},
  })
  expect(rows).toHaveLength(1)
  expect(rows[0]).toMatchObject({ provider: 'p', mode: 'emulated', requests: 5, costUsd: 0 })
  expect(rows[0]!.totalTokens).toBe(done.usage?.total_tokens ?? 0)
  expect(await kit.engine.usage({ ownerId: 'someone-else', from: now - 86_400_000, to: now + 1 })).toEqual([])
  await kit.close()
})
