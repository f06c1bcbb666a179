import { createBatchEngine, offsetClock, type Provider } from '@batchkit/core'
import { startRunnerLoop } from '@batchkit/core/node'
import type { ExecuteResult } from '@batchkit/core/provider'
import type { Scope } from '@batchkit/core/store'
import { describe, expect, it } from 'vitest'
import { memoryStore } from './memory-store.ts'

const scope: Scope = { ownerId: 'owner' }

/**
 * A provider (concurrency 2) whose calls each hang until released by custom id, unless `answer` returns
 * an answer for the call at once.
 */
function gatedProvider(
  answer: (customId: string, attempt: number) => ExecuteResult | undefined = () => undefined,
): Provider & { started: string[]; release(id: string): void } {
  const gates = new Map<string, () => void>()
  const started: string[] = []
  return {
    name: 'gated',
    credential: 'none',
    concurrency: 2,
    started,
    release(id) {
      gates.get(id)?.()
      gates.delete(id)
    },
    async execute(request): Promise<ExecuteResult> {
      started.push(request.customId)
      const now = answer(request.customId, request.attempt)
      if (now) return now
      await new Promise<void>((resolve) => gates.set(request.customId, resolve))
      return { type: 'response', status: 200, body: { ok: true } }
    },
  }
}

async function until(check: () => boolean | Promise<boolean>, ms = 5_000): Promise<void> {
  const end = Date.now() + ms
  while (!(await check())) {
    if (Date.now() > end) throw new Error('timed out')
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
}

async function setup(lines: number, answer?: Parameters<typeof gatedProvider>[0]) {
  const clock = offsetClock()
  const provider = gatedProvider(answer)
  const engine = createBatchEngine({
    store: memoryStore(),
    providers: [provider],
    secret: 'runner-loop-test-secret',
    clock,
  })
  const text = Array.from(
    { length: lines },
    (_, i) =>
      `${JSON.stringify({ custom_id: `l${i}`, method: 'POST', url: '/v1/chat/completions', body: { model: 'm', messages: [{ role: 'user', content: 'hi' }] } })}\n`,
  ).join('')
  const file = await engine.files.upload(scope, new Blob([text]).stream(), {
    filename: 'in.jsonl',
    purpose: 'batch',
  })
  const batch = await engine.batches.create(scope, {
    input_file_id: file.id,
    endpoint: '/v1/chat/completions',
    completion_window: '24h',
  })
  return { clock, provider, engine, batch }
}

type Setup = Awaited<ReturnType<typeof setup>>

/** Runs `body` while a runner loop drives `engine`; then releases every call still hanging and stops the loop. */
async function whileLooping(
  { engine, provider }: Pick<Setup, 'engine' | 'provider'>,
  body: () => Promise<void>,
) {
  const loop = startRunnerLoop(engine.runner, { idleMs: 20 })
  try {
    await body()
  } finally {
    for (const id of provider.started) provider.release(id)
    await loop.stop()
  }
}

/** Waits until `batch` completed, and returns its request counts. */
async function countsOnceCompleted({ engine, batch }: Pick<Setup, 'engine' | 'batch'>) {
  await until(async () => (await engine.batches.get(scope, batch.id)).status === 'completed')
  return (await engine.batches.get(scope, batch.id)).request_counts
}

describe('the Node runner loop', () => {
  it('keeps claiming lines while a slow one runs, however long the tick has been going', async () => {
    const run = await setup(8)
    const { clock, provider } = run
    await whileLooping(run, async () => {
      await until(() => provider.started.length === 2)
      const slow = provider.started[0]!
      // Past what used to be a tick's budget (1 s): that tick stopped claiming, and the lines it had not
      // claimed waited until the slow line returned, leaving its slot empty.
      clock.advance(5_000)
      await until(() => {
        for (const id of provider.started) if (id !== slow) provider.release(id)
        return provider.started.length === 8
      })
      provider.release(slow)
      expect(await countsOnceCompleted(run)).toMatchObject({ completed: 8 })
    })
  })

  it('claims lines that became due meanwhile (a retry) while another line still runs', async () => {
    const limited: ExecuteResult = { type: 'response', status: 429, body: {}, retryAfterMs: 1_000 }
    const run = await setup(2, (customId, attempt) =>
      customId === 'l1' && attempt === 1 ? limited : undefined,
    )
    const { clock, provider } = run
    await whileLooping(run, async () => {
      // l0 hangs; l1 is answered 429 and goes back to the store until its retry-after has passed.
      await until(() => provider.started.length === 2)
      clock.advance(5_000)
      // Before, the store having had nothing claimable kept the tick from asking again while l0 ran.
      await until(() => provider.started.filter((id) => id === 'l1').length === 2)
      provider.release('l1')
      provider.release('l0')
      expect(await countsOnceCompleted(run)).toMatchObject({ completed: 2 })
    })
  })

  it('fails a line whose answer cannot be written, instead of holding its slot for good', async () => {
    // JSON.stringify throws on a BigInt: before, the line's slot stayed taken and the tick never ended.
    const unwritable: ExecuteResult = { type: 'response', status: 200, body: { tokens: 1n } }
    const run = await setup(3, (customId) =>
      customId === 'l1' ? unwritable : { type: 'response', status: 200, body: { ok: true } },
    )
    await whileLooping(run, async () => {
      expect(await countsOnceCompleted(run)).toMatchObject({ completed: 2, failed: 1 })
    })
  })

  it('stops gracefully: no new claims, lines in flight finish and are recorded', async () => {
    const { provider, engine, batch } = await setup(12)
    const loop = startRunnerLoop(engine.runner, { idleMs: 20 })
    await until(() => provider.started.length === 2)
    let stopped = false
    const stopping = loop.stop().then(() => {
      stopped = true
    })
    await new Promise((resolve) => setTimeout(resolve, 50))
    expect(stopped).toBe(false)
    // Lines already claimed may still start; release everything until the loop has stopped.
    await until(() => {
      for (const id of provider.started) provider.release(id)
      return stopped
    })
    await stopping
    const after = await engine.batches.get(scope, batch.id)
    expect(provider.started.length).toBeLessThan(12)
    expect(after.status).toBe('in_progress')
    expect(after.request_counts.completed).toBe(provider.started.length)
  })
})
