import { type BatchObject, createBatchEngine, type Provider } from '@batchkit/core'
import type { ExecuteResult } from '@batchkit/core/provider'
import type { Scope } from '@batchkit/core/store'
import { describe, expect, it } from 'vitest'
import { memoryStore } from './memory-store.ts'

const scope: Scope = { ownerId: 'owner' }

/** A provider whose calls hang until released. */
function heldProvider(): Provider & { started: number; release(): void } {
  let release: () => void = () => {}
  const gate = new Promise<void>((resolve) => {
    release = resolve
  })
  const provider = {
    name: 'held',
    credential: 'none' as const,
    started: 0,
    release: () => release(),
    async execute(): Promise<ExecuteResult> {
      provider.started++
      await gate
      return { type: 'response', status: 200, body: { ok: true } }
    },
  }
  return provider
}

const line = (id: string): string =>
  `${JSON.stringify({ custom_id: id, method: 'POST', url: '/v1/chat/completions', body: { model: 'm', messages: [{ role: 'user', content: 'hi' }] } })}\n`

async function createBatch(engine: ReturnType<typeof createBatchEngine>, id: string): Promise<BatchObject> {
  const file = await engine.files.upload(scope, new Blob([line(id)]).stream(), {
    filename: `${id}.jsonl`,
    purpose: 'batch',
  })
  return engine.batches.create(scope, {
    input_file_id: file.id,
    endpoint: '/v1/chat/completions',
    completion_window: '24h',
  })
}

async function until(check: () => Promise<boolean>, ms = 5_000): Promise<void> {
  const end = Date.now() + ms
  while (!(await check())) {
    if (Date.now() > end) throw new Error('timed out')
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
}

describe('runner ticks', () => {
  it('validates and starts a new batch while a slow line of another batch is still running', async () => {
    const provider = heldProvider()
    const engine = createBatchEngine({
      store: memoryStore(),
      providers: [provider],
      secret: 'runner-ticks-test-secret',
    })
    const first = await createBatch(engine, 'a')
    await engine.runner.tick({ budgetMs: 0 }) // validates the first batch
    const tick = engine.runner.tick({ budgetMs: 200 }) // runs its line, which hangs
    await until(async () => provider.started === 1)
    const second = await createBatch(engine, 'b')
    // Before the fix, the second batch waited in `validating` until the first batch's line returned.
    await until(async () => (await engine.batches.get(scope, second.id)).status === 'in_progress')
    // And its line was claimed in the same tick, before the deadline.
    await until(async () => provider.started === 2)
    provider.release()
    const report = await tick
    expect(report.lines).toBe(2)
    for (const batch of [first, second])
      expect((await engine.batches.get(scope, batch.id)).request_counts.completed).toBe(1)
  })
})
