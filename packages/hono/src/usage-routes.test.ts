import { type BatchObject, createBatchEngine, type FileObject } from '@batchkit/core'
import { mockProvider } from '@batchkit/provider-mock'
import { memoryStore } from '@batchkit/store-memory'
import { describe, expect, it } from 'vitest'
import { expectError, expectJson, req } from './__fixtures__/http.ts'
import { createFetchHandler } from './fetch-handler.ts'

const prices = { 'mock-1': { input: 2, cachedInput: 1, output: 8 } }

function serve(usageRoute: boolean) {
  const engine = createBatchEngine({
    store: memoryStore(),
    providers: [mockProvider({ name: 'mock' })],
    secret: 'test-secret-test-secret-test-secret',
    usage: { prices },
  })
  return { engine, handle: createFetchHandler({ engine, usageRoute }) }
}

const jsonl = (n: number): string =>
  Array.from({ length: n }, (_, i) =>
    JSON.stringify({
      custom_id: `req-${i}`,
      method: 'POST',
      url: '/v1/chat/completions',
      body: { model: 'mock-1', messages: [{ role: 'user', content: `hello ${i}` }] },
    }),
  ).join('\n')

/** Uploads `n` lines as `token`'s tenant, runs the batch to its end, returns the finished batch. */
async function runBatch(
  handle: (r: Request) => Promise<Response>,
  engine: ReturnType<typeof serve>['engine'],
  token: string,
  n: number,
): Promise<BatchObject> {
  const form = new FormData()
  form.append('file', new File([jsonl(n)], 'input.jsonl'))
  form.append('purpose', 'batch')
  const file = await expectJson<FileObject>(await handle(req('POST', '/v1/files', { body: form, token })))
  const created = await expectJson<BatchObject>(
    await handle(
      req('POST', '/v1/batches', {
        token,
        json: { input_file_id: file.id, endpoint: '/v1/chat/completions', completion_window: '24h' },
      }),
    ),
  )
  for (let i = 0; i < 200 && (await engine.runner.tick({ budgetMs: 200 })).more; i++);
  const batch = await expectJson<BatchObject>(
    await handle(req('GET', `/v1/batches/${created.id}`, { token })),
  )
  expect(batch.status).toBe('completed')
  return batch
}

describe('GET /v1/usage', () => {
  it('is not served unless the host enables it', async () => {
    const { handle } = serve(false)
    await expectError(await handle(req('GET', '/v1/usage?start_time=0')), 404, 'not_found')
  })

  it("sums the caller's tenant's tokens by model, with cost from the engine's price table", async () => {
    const { engine, handle } = serve(true)
    const alice = await runBatch(handle, engine, 'sk-alice', 3)
    await runBatch(handle, engine, 'sk-bob', 2)
    const now = Math.ceil(engine.clock.now() / 1000)
    const page = await expectJson<{ object: string; data: Record<string, unknown>[] }>(
      await handle(req('GET', `/v1/usage?start_time=${now - 3600}&group_by=model`, { token: 'sk-alice' })),
    )
    const usage = alice.usage
    expect(usage?.input_tokens).toBeGreaterThan(0)
    const cached = usage?.input_tokens_details?.cached_tokens ?? 0
    const input = usage?.input_tokens ?? 0
    const output = usage?.output_tokens ?? 0
    expect(page).toMatchObject({ object: 'list', group_by: ['model'] })
    expect(page.data).toEqual([
      {
        object: 'usage.result',
        day: null,
        provider: null,
        model: 'mock-1',
        mode: null,
        requests: 3,
        input_tokens: input,
        cached_tokens: cached,
        output_tokens: output,
        reasoning_tokens: usage?.output_tokens_details?.reasoning_tokens ?? 0,
        total_tokens: usage?.total_tokens,
        cost_usd: expect.closeTo(((input - cached) * 2 + cached * 1 + output * 8) / 1e6, 12),
        unpriced_models: [],
      },
    ])
    // Every key by default; the day is today's UTC date.
    const all = await expectJson<{ data: Record<string, unknown>[] }>(
      await handle(req('GET', `/v1/usage?start_time=${now - 3600}&end_time=${now + 1}`, { token: 'sk-bob' })),
    )
    expect(all.data).toMatchObject([
      {
        day: new Date(engine.clock.now()).toISOString().slice(0, 10),
        provider: 'mock',
        model: 'mock-1',
        mode: 'emulated',
        requests: 2,
      },
    ])
    // Days before the batches ran: nothing.
    const before = await expectJson<{ data: unknown[] }>(
      await handle(req('GET', `/v1/usage?start_time=${now - 3 * 86400}&end_time=${now - 2 * 86400}`)),
    )
    expect(before.data).toEqual([])
  })

  it('authorizes like every route and names the bad query parameter', async () => {
    const { handle } = serve(true)
    await expectError(
      await handle(req('GET', '/v1/usage?start_time=0', { token: null })),
      401,
      'missing_api_key',
    )
    await expectError(await handle(req('GET', '/v1/usage')), 400, 'invalid_value', 'start_time')
    await expectError(
      await handle(req('GET', '/v1/usage?start_time=yesterday')),
      400,
      'invalid_value',
      'start_time',
    )
    await expectError(
      await handle(req('GET', '/v1/usage?start_time=100&end_time=100')),
      400,
      'invalid_value',
      'end_time',
    )
    const error = await expectError(
      await handle(req('GET', '/v1/usage?start_time=0&group_by=model,owner')),
      400,
      'invalid_value',
      'group_by',
    )
    expect(error.message).toContain("'provider'")
  })
})
