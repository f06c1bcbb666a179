import { openaiCompatible } from '@batchkit/provider-openai'
import { type FakeUpstream, startFakeUpstream } from '@batchkit/testing/fake-upstream'
import OpenAI, { toFile } from 'openai'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { readConfig } from './config.ts'
import { chatJsonl, submitChatBatch } from './sdk-fixtures.ts'
import { type ReferenceServer, startReferenceServer } from './server.ts'

/**
 * Native mode end to end: the official openai SDK against the reference server, whose `openai` provider
 * hands batches to the fake upstream's Batch API. The fake moves its batches when the test says so.
 */
describe('native batches through the reference server, driven by the openai SDK', () => {
  const KEY = 'sk-upstream-native'
  const pollMs = 100
  let server: ReferenceServer
  let upstream: FakeUpstream

  const client = () =>
    new OpenAI({ baseURL: server.url, apiKey: KEY, defaultHeaders: { 'x-provider': 'openai' } })

  type Batch = Awaited<ReturnType<OpenAI['batches']['retrieve']>>
  const providerBatchId = (batch: Batch): string | null =>
    (batch as Batch & { batchkit?: { provider_batch_id: string | null } }).batchkit?.provider_batch_id ?? null

  async function waitFor(openai: OpenAI, id: string, check: (b: Batch) => boolean, timeoutMs = 15_000) {
    const started = Date.now()
    for (;;) {
      const batch = await openai.batches.retrieve(id)
      if (check(batch)) return batch
      if (Date.now() - started > timeoutMs) throw new Error(`batch ${id} stuck in ${batch.status}`)
      await new Promise((r) => setTimeout(r, 20))
    }
  }

  async function submitted(openai: OpenAI, n: number, prefix: string) {
    const created = await submitChatBatch(openai, n, prefix)
    const batch = await waitFor(openai, created.id, (b) => providerBatchId(b) !== null)
    return { id: created.id, pid: providerBatchId(batch)! }
  }

  beforeAll(async () => {
    upstream = await startFakeUpstream({ requireKey: KEY, seed: 11, native: { lineErrorRate: 0.25 } })
    server = await startReferenceServer({
      config: { ...readConfig({}), port: 0 },
      providers: [
        openaiCompatible({
          baseURL: upstream.url,
          mode: 'native',
          native: { pollIntervalMs: { initial: pollMs, max: 300 } },
        }),
      ],
    })
  })
  afterAll(async () => {
    await server?.close()
    await upstream?.close()
  })

  it('creates, shows progress, completes and serves the imported output and error files', async () => {
    const openai = client()
    const created = await submitChatBatch(openai, 8, 'ok')
    expect(created).toMatchObject({
      status: 'validating',
      request_counts: { total: 0, completed: 0, failed: 0 },
    })
    const running = await waitFor(openai, created.id, (b) => providerBatchId(b) !== null)
    const pid = providerBatchId(running)!
    expect(pid).not.toBe(created.id)
    expect(running.request_counts?.total).toBe(8)

    upstream.batches.advance(pid, 3)
    const progressed = await waitFor(
      openai,
      created.id,
      (b) => (b.request_counts?.completed ?? 0) + (b.request_counts?.failed ?? 0) === 3,
    )
    expect(progressed.status).toBe('in_progress')
    expect(typeof progressed.in_progress_at).toBe('number')
    expect(progressed.in_progress_at).toBeLessThan(1e12) // Unix seconds

    // Reading does not call the provider: its batch endpoint sees only the runner's backoff polls.
    const before = upstream.calls.filter((c) => c.endpoint.startsWith('/v1/batches/')).length
    const started = Date.now()
    for (let i = 0; i < 40; i++) await openai.batches.retrieve(created.id)
    const polls = upstream.calls.filter((c) => c.endpoint.startsWith('/v1/batches/')).length - before
    expect(polls).toBeLessThanOrEqual(Math.ceil((Date.now() - started) / pollMs) + 1)

    upstream.batches.complete(pid)
    const done = await waitFor(openai, created.id, (b) => b.status === 'completed')
    const counts = done.request_counts!
    expect(counts.total).toBe(8)
    expect(counts.completed + counts.failed).toBe(8)
    expect(counts.failed).toBeGreaterThan(0)
    expect(done.usage?.total_tokens).toBeGreaterThan(0)
    const providerFiles = upstream.batches.files().map((f) => f.id)
    expect(providerFiles).not.toContain(done.output_file_id)
    expect(providerFiles).not.toContain(done.error_file_id)
    const output = (await (await openai.files.content(done.output_file_id!)).text()).trim().split('\n')
    const errors = (await (await openai.files.content(done.error_file_id!)).text()).trim().split('\n')
    expect(output).toHaveLength(counts.completed)
    expect(errors).toHaveLength(counts.failed)
    expect(JSON.parse(output[0]!)).toMatchObject({
      id: expect.stringMatching(/^batch_req_[0-9a-f]{24}$/),
      response: { status_code: 200, body: { object: 'chat.completion' } },
      error: null,
    })
    expect(JSON.parse(errors[0]!)).toMatchObject({ response: { status_code: 400 } })
    expect(await openai.files.retrieve(done.output_file_id!)).toMatchObject({ purpose: 'batch_output' })
    const ids = [...output, ...errors].map((l) => (JSON.parse(l) as { custom_id: string }).custom_id)
    expect(new Set(ids).size).toBe(8)
  })

  it('cancels through the provider, keeping partial results', async () => {
    const openai = client()
    const { id, pid } = await submitted(openai, 6, 'cancel')
    upstream.batches.advance(pid, 2)
    await waitFor(
      openai,
      id,
      (b) => (b.request_counts?.completed ?? 0) + (b.request_counts?.failed ?? 0) === 2,
    )
    const cancelling = await openai.batches.cancel(id)
    expect(cancelling.status).toBe('cancelling')
    await waitFor(openai, id, () => upstream.batches.get(pid)?.status === 'cancelling')
    upstream.batches.finishCancel(pid)
    const cancelled = await waitFor(openai, id, (b) => b.status === 'cancelled')
    expect(cancelled.request_counts?.total).toBe(6)
    expect((cancelled.request_counts?.completed ?? 0) + (cancelled.request_counts?.failed ?? 0)).toBe(6)
    const errors = (await (await openai.files.content(cancelled.error_file_id!)).text()).trim().split('\n')
    expect(errors.filter((l) => l.includes('"batch_cancelled"'))).toHaveLength(4)
    expect(typeof cancelled.cancelled_at).toBe('number')
  })

  it('reports a provider failure as failed with its errors', async () => {
    const openai = client()
    const { id, pid } = await submitted(openai, 2, 'fail')
    upstream.batches.fail(pid, [{ code: 'token_limit_exceeded', message: 'Enqueued token limit reached.' }])
    const failed = await waitFor(openai, id, (b) => b.status === 'failed')
    expect(failed.errors?.data).toEqual([
      { code: 'token_limit_exceeded', message: 'Enqueued token limit reached.', param: null, line: null },
    ])
    expect(typeof failed.failed_at).toBe('number')
  })

  it('reports a provider expiry as expired, with finished lines kept', async () => {
    const openai = client()
    const { id, pid } = await submitted(openai, 5, 'exp')
    upstream.batches.advance(pid, 2)
    upstream.batches.expire(pid)
    const expired = await waitFor(openai, id, (b) => b.status === 'expired')
    expect(expired.request_counts?.total).toBe(5)
    expect((expired.request_counts?.completed ?? 0) + (expired.request_counts?.failed ?? 0)).toBe(5)
    const errors = (await (await openai.files.content(expired.error_file_id!)).text()).trim().split('\n')
    expect(errors.filter((l) => l.includes('"batch_expired"'))).toHaveLength(3)
    expect(typeof expired.expired_at).toBe('number')
  })

  it('fails before uploading anything when batchkit validation finds bad lines', async () => {
    const openai = client()
    const uploads = upstream.batches.files().length
    const file = await openai.files.create({
      file: await toFile(Buffer.from(`${chatJsonl(1, 'v')}\n{not json`), 'bad.jsonl'),
      purpose: 'batch',
    })
    const created = await openai.batches.create({
      input_file_id: file.id,
      endpoint: '/v1/chat/completions',
      completion_window: '24h',
    })
    const failed = await waitFor(openai, created.id, (b) => b.status === 'failed')
    expect(failed.errors?.data?.[0]).toMatchObject({ code: 'invalid_json_line', line: 2 })
    expect(upstream.batches.files()).toHaveLength(uploads)
  })
})
