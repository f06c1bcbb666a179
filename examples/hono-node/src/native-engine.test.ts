import {
  type BatchEngine,
  type BatchObject,
  createBatchEngine,
  offsetClock,
  type Provider,
  type Scope,
  type Store,
  sha256Hex,
} from '@batchkit/core'
import { createBatchRouter } from '@batchkit/hono'
import { openaiCompatible } from '@batchkit/provider-openai'
import { memoryStore } from '@batchkit/store-memory'
import { chatLine, chatLines, driveUntilStatus, fileLines, uploadLines } from '@batchkit/testing'
import { type FakeUpstream, startFakeUpstream } from '@batchkit/testing/fake-upstream'
import { afterEach, describe, expect, it } from 'vitest'

/**
 * Native mode through the engine (no HTTP in front): the runner's native steps against the fake
 * upstream's Files + Batches API — submit, progress, completion and import, cancel, failure, expiry,
 * crash recovery, and that reading a batch never calls the provider.
 */
const KEY = 'sk-native-engine-key-0123'
const scope: Scope = { ownerId: 'tenant-native' }
const fast = { pollIntervalMs: { initial: 10, max: 40 } }

let upstream: FakeUpstream | undefined
afterEach(async () => {
  await upstream?.close()
  upstream = undefined
})

async function setup(
  options: { store?: (s: Store) => Store; provider?: (url: string) => Provider; leaseMs?: number } = {},
) {
  upstream = await startFakeUpstream({ requireKey: KEY, seed: 7 })
  const clock = offsetClock()
  const base = memoryStore({ clock })
  const store = options.store ? options.store(base) : base
  const provider =
    options.provider?.(upstream.url) ??
    openaiCompatible({ name: 'openai', baseURL: upstream.url, mode: 'native', native: fast })
  const engine = createBatchEngine({
    store,
    clock,
    providers: [provider, openaiCompatible({ name: 'plain', baseURL: upstream.url })],
    secret: 'native-engine-test-secret',
    runner: { leaseMs: options.leaseMs ?? 2_000 },
  })
  return { engine, upstream, clock, store }
}

async function createNative(
  engine: BatchEngine,
  n: number,
  extra: Partial<{ provider: string; mode: 'native' }> = {},
) {
  const file = await uploadLines(engine, scope, chatLines(n))
  return engine.batches.create(
    scope,
    {
      input_file_id: file.id,
      endpoint: '/v1/chat/completions',
      completion_window: '24h',
      metadata: { job: 'x' },
    },
    { provider: 'openai', credential: KEY, ...extra },
  )
}

const providerId = (batch: BatchObject): string => {
  const id = batch.batchkit?.provider_batch_id
  if (!id) throw new Error('not submitted')
  return id
}

async function until(
  engine: BatchEngine,
  id: string,
  check: (b: BatchObject) => boolean,
): Promise<BatchObject> {
  let batch = await engine.batches.get(scope, id)
  for (let i = 0; i < 400 && !check(batch); i++) {
    await engine.runner.tick({ budgetMs: 20 })
    await new Promise((r) => setTimeout(r, 5))
    batch = await engine.batches.get(scope, id)
  }
  if (!check(batch)) throw new Error(`batch ${id} stuck in ${batch.status}`)
  return batch
}

describe('native mode through the engine', () => {
  it('submits, follows progress, imports results under batchkit ids, and never calls the provider on reads', async () => {
    const { engine, upstream } = await setup()
    const created = await createNative(engine, 5)
    expect(created).toMatchObject({
      status: 'validating',
      batchkit: { mode: 'native', provider_batch_id: null },
    })
    const submitted = await until(engine, created.id, (b) => b.batchkit?.provider_batch_id != null)
    const pid = providerId(submitted)
    expect(pid).not.toBe(created.id)
    expect(submitted.request_counts?.total).toBe(5)
    expect(upstream.batches.get(pid)?.metadata).toEqual({ job: 'x', batchkit_batch_id: created.id })

    upstream.batches.advance(pid, 2)
    const running = await until(engine, created.id, (b) => (b.request_counts?.completed ?? 0) === 2)
    expect(running.status).toBe('in_progress')
    expect(running.in_progress_at).not.toBeNull()

    const calls = upstream.calls.length
    for (let i = 0; i < 20; i++) await engine.batches.get(scope, created.id)
    expect(upstream.calls.length).toBe(calls)

    upstream.batches.complete(pid)
    const done = await until(engine, created.id, (b) => b.status === 'completed')
    expect(done.request_counts).toEqual({ total: 5, completed: 5, failed: 0 })
    expect(done.error_file_id).toBeNull()
    expect(done.usage?.total_tokens).toBeGreaterThan(0)
    expect(done.completed_at).toBeGreaterThanOrEqual(done.in_progress_at ?? 0)
    const providerFiles = upstream.batches.files().map((f) => f.id)
    expect(providerFiles).not.toContain(done.output_file_id)
    const output = await fileLines(engine, scope, done.output_file_id!)
    expect(output.map((l) => l.custom_id)).toEqual(['req-1', 'req-2', 'req-3', 'req-4', 'req-5'])
    for (const line of output) {
      expect(line.id).toMatch(/^batch_req_[0-9a-f]{24}$/)
      expect(String(line.id)).not.toContain('fake')
      expect(line).toMatchObject({
        response: { status_code: 200, body: { object: 'chat.completion' } },
        error: null,
      })
    }
    expect(await engine.files.get(scope, done.output_file_id!)).toMatchObject({ purpose: 'batch_output' })
    await expect(engine.files.get({ ownerId: 'someone-else' }, done.output_file_id!)).rejects.toMatchObject({
      code: 'not_found',
    })
  })

  it('validates before spending: a bad line fails the batch and nothing is uploaded', async () => {
    const { engine, upstream } = await setup()
    const file = await uploadLines(engine, scope, [chatLine(1), { ...chatLine(2), url: '/v1/embeddings' }])
    const created = await engine.batches.create(
      scope,
      { input_file_id: file.id, endpoint: '/v1/chat/completions', completion_window: '24h' },
      { provider: 'openai', credential: KEY },
    )
    const failed = await driveUntilStatus(engine, scope, created.id, ['failed'])
    expect(failed.errors?.data[0]).toMatchObject({ code: 'invalid_url', line: 2 })
    expect(upstream.batches.files()).toHaveLength(0)
  })

  it('cancels through the provider and reports lines that never ran as batch_cancelled', async () => {
    const { engine, upstream } = await setup()
    const created = await createNative(engine, 4)
    const pid = providerId(await until(engine, created.id, (b) => b.batchkit?.provider_batch_id != null))
    upstream.batches.advance(pid, 1)
    await until(engine, created.id, (b) => b.request_counts?.completed === 1)
    expect((await engine.batches.cancel(scope, created.id)).status).toBe('cancelling')
    await until(engine, created.id, () => upstream.batches.get(pid)?.status === 'cancelling')
    upstream.batches.finishCancel(pid)
    const cancelled = await until(engine, created.id, (b) => b.status === 'cancelled')
    expect(cancelled.request_counts).toEqual({ total: 4, completed: 1, failed: 3 })
    const errors = await fileLines(engine, scope, cancelled.error_file_id!)
    expect(errors).toHaveLength(3)
    expect(errors[0]).toMatchObject({ response: null, error: { code: 'batch_cancelled' } })
    expect(cancelled.cancelling_at).not.toBeNull()
  })

  it('fails with the provider errors when the provider fails the batch', async () => {
    const { engine, upstream } = await setup()
    const created = await createNative(engine, 2)
    const pid = providerId(await until(engine, created.id, (b) => b.batchkit?.provider_batch_id != null))
    upstream.batches.fail(pid)
    const failed = await until(engine, created.id, (b) => b.status === 'failed')
    expect(failed.errors?.data[0]).toMatchObject({ code: 'token_limit_exceeded', line: null })
    expect(failed.failed_at).not.toBeNull()
  })

  it('expires with partial results when the provider expires the batch', async () => {
    const { engine, upstream } = await setup()
    const created = await createNative(engine, 3)
    const pid = providerId(await until(engine, created.id, (b) => b.batchkit?.provider_batch_id != null))
    upstream.batches.advance(pid, 1)
    upstream.batches.expire(pid)
    const expired = await until(engine, created.id, (b) => b.status === 'expired')
    expect(expired.request_counts).toEqual({ total: 3, completed: 1, failed: 2 })
    expect(expired.expired_at).not.toBeNull()
    const errors = await fileLines(engine, scope, expired.error_file_id!)
    expect(errors.every((l) => (l.error as { code: string }).code === 'batch_expired')).toBe(true)
  })

  it('cancels at the provider and ends expired when the window closed long ago and the provider never expires', async () => {
    const { engine, upstream, clock } = await setup()
    const created = await createNative(engine, 2)
    const pid = providerId(await until(engine, created.id, (b) => b.batchkit?.provider_batch_id != null))
    upstream.batches.advance(pid, 1)
    await until(engine, created.id, (b) => b.request_counts?.completed === 1)
    clock.advance(26 * 3600 * 1000)
    await until(engine, created.id, () => upstream.batches.get(pid)?.status === 'cancelling')
    upstream.batches.finishCancel(pid)
    const expired = await until(engine, created.id, (b) => b.status === 'expired')
    expect(expired.request_counts).toEqual({ total: 2, completed: 1, failed: 1 })
  })

  it('re-imports after a crash without duplicating files', async () => {
    let crashes = 0
    const { engine, upstream } = await setup({
      leaseMs: 200,
      store: (s) => ({
        ...s,
        batches: {
          ...s.batches,
          transition: async (id, from, to, patch, fence) => {
            if (to === 'completed' && crashes === 0) {
              crashes++
              throw new Error('simulated crash before the final transition')
            }
            return s.batches.transition(id, from, to, patch, fence)
          },
        },
      }),
    })
    const created = await createNative(engine, 3)
    const pid = providerId(await until(engine, created.id, (b) => b.batchkit?.provider_batch_id != null))
    upstream.batches.complete(pid)
    const done = await until(engine, created.id, (b) => b.status === 'completed')
    expect(crashes).toBe(1)
    const outputs = (await engine.files.list(scope, { purpose: 'batch_output' })).data
    expect(outputs.map((f) => f.id)).toEqual([done.output_file_id])
    expect(await fileLines(engine, scope, done.output_file_id!)).toHaveLength(3)
  })

  it('resumes an interrupted submit from its checkpoint: one upload, one provider batch', async () => {
    let failures = 0
    const { engine, upstream } = await setup({
      provider: (url) =>
        openaiCompatible({
          name: 'openai',
          baseURL: url,
          mode: 'native',
          native: fast,
          fetch: async (input, init) => {
            const target = String(input)
            if (init?.method === 'POST' && target.endsWith('/batches') && failures === 0) {
              failures++
              throw new TypeError('fetch failed', { cause: { code: 'ECONNRESET' } })
            }
            return fetch(input, init)
          },
        }),
    })
    const created = await createNative(engine, 2)
    const submitted = await until(engine, created.id, (b) => b.batchkit?.provider_batch_id != null)
    expect(failures).toBe(1)
    expect(upstream.batches.files()).toHaveLength(1)
    expect(upstream.batches.list()).toHaveLength(1)
    upstream.batches.complete(providerId(submitted))
    expect((await until(engine, created.id, (b) => b.status === 'completed')).request_counts?.completed).toBe(
      2,
    )
  })

  it('cancelled while a submit was interrupted: finds or makes the provider batch and cancels it there', async () => {
    let failing = true
    const { engine, upstream } = await setup({
      provider: (url) =>
        openaiCompatible({
          name: 'openai',
          baseURL: url,
          mode: 'native',
          native: { pollIntervalMs: { initial: 10, max: 10 } },
          fetch: async (input, init) => {
            if (failing && init?.method === 'POST' && String(input).endsWith('/batches')) {
              throw new TypeError('fetch failed', { cause: { code: 'ECONNRESET' } })
            }
            return fetch(input, init)
          },
        }),
    })
    const created = await createNative(engine, 2)
    await until(engine, created.id, () => upstream.batches.files().length === 1)
    expect((await engine.batches.cancel(scope, created.id)).status).toBe('cancelling')
    failing = false
    await until(engine, created.id, () => upstream.batches.list()[0]?.status === 'cancelling')
    upstream.batches.finishCancel(upstream.batches.list()[0]!.id)
    const cancelled = await until(engine, created.id, (b) => b.status === 'cancelled')
    expect(cancelled.batchkit?.provider_batch_id).toBe(upstream.batches.list()[0]!.id)
    expect(upstream.batches.list()).toHaveLength(1)
  })

  it('chooses the mode per provider and per batch; native needs a native API', async () => {
    const { engine } = await setup()
    const file = await uploadLines(engine, scope, chatLines(1))
    const body = { input_file_id: file.id, endpoint: '/v1/chat/completions', completion_window: '24h' }
    await expect(
      engine.batches.create(scope, body, { provider: 'plain', credential: KEY, mode: 'native' }),
    ).rejects.toMatchObject({ code: 'invalid_value', param: 'mode', status: 400 })
    expect(await engine.batches.create(scope, body, { provider: 'plain', credential: KEY })).toMatchObject({
      batchkit: { mode: 'emulated' },
    })
    expect(
      await engine.batches.create(scope, body, { provider: 'openai', credential: KEY, mode: 'emulated' }),
    ).toMatchObject({ batchkit: { mode: 'emulated' } })
  })

  it('lets a host allow x-batch-mode per batch; native on a provider without a native API is a 400', async () => {
    const { engine } = await setup()
    const router = createBatchRouter({ engine, allowModeOverride: true })
    const file = await uploadLines(engine, { ownerId: await sha256Hex(KEY) }, chatLines(1))
    const create = (provider: string, mode: string) =>
      router.request('/batches', {
        method: 'POST',
        headers: {
          authorization: `Bearer ${KEY}`,
          'content-type': 'application/json',
          'x-provider': provider,
          'x-batch-mode': mode,
        },
        body: JSON.stringify({
          input_file_id: file.id,
          endpoint: '/v1/chat/completions',
          completion_window: '24h',
        }),
      })
    const refused = await create('plain', 'native')
    expect(refused.status).toBe(400)
    expect(await refused.json()).toMatchObject({ error: { code: 'invalid_value', param: 'mode' } })
    const overridden = await create('openai', 'emulated')
    expect(overridden.status).toBe(200)
    expect(await overridden.json()).toMatchObject({ batchkit: { provider: 'openai', mode: 'emulated' } })
  })
})
