import type { NativeSubmitContext } from '@batchkit/core/provider'
import {
  type FakeUpstream,
  type FakeUpstreamOptions,
  startFakeUpstream,
} from '@batchkit/testing/fake-upstream'
import { afterEach, describe, expect, it } from 'vitest'
import { openaiCompatible } from '../openai-compatible.ts'
import type { NativeOptions } from './native-api.ts'

const KEY = 'sk-native-secret-0123456789'
const encoder = new TextEncoder()

let upstream: FakeUpstream | undefined
const start = async (options: FakeUpstreamOptions = {}): Promise<FakeUpstream> => {
  upstream = await startFakeUpstream({ requireKey: KEY, ...options })
  return upstream
}
afterEach(async () => {
  await upstream?.close()
  upstream = undefined
})

const lines = (n: number): string =>
  Array.from({ length: n }, (_, i) =>
    JSON.stringify({
      custom_id: `r-${i + 1}`,
      method: 'POST',
      url: '/v1/chat/completions',
      body: { model: 'gpt-4o-mini', messages: [{ role: 'user', content: `hi ${i + 1}` }] },
    }),
  ).join('\n')

/** A stream of `text` in small chunks (so the upload really streams). */
const chunked = (text: string): ReadableStream<Uint8Array> => {
  const bytes = encoder.encode(text)
  let at = 0
  return new ReadableStream({
    pull(c) {
      if (at >= bytes.length) return c.close()
      c.enqueue(bytes.slice(at, at + 100))
      at += 100
    },
  })
}

function submitContext(text: string, over: Partial<NativeSubmitContext> = {}) {
  const checkpoints: Record<string, unknown>[] = []
  const ctx: NativeSubmitContext = {
    batchId: 'batch_local1',
    credential: KEY,
    signal: new AbortController().signal,
    endpoint: '/v1/chat/completions',
    completionWindow: '24h',
    metadata: { team: 'a' },
    model: 'gpt-4o-mini',
    lines: 3,
    input: { filename: 'in.jsonl', bytes: encoder.encode(text).length, open: async () => chunked(text) },
    state: null,
    async checkpoint(state) {
      checkpoints.push(state)
    },
    ...over,
  }
  return { ctx, checkpoints }
}

const native = (url: string, options: NativeOptions = {}) => {
  const api = openaiCompatible({ baseURL: url, native: options }).native
  if (!api) throw new Error('no native api')
  return api
}

const text = async (stream: ReadableStream<Uint8Array>): Promise<string> => new Response(stream).text()

describe('openaiNativeApi against the fake upstream', () => {
  it('streams the upload with a content-length, creates, polls, and reads results', async () => {
    const fake = await start()
    const api = native(fake.url)
    const input = lines(3)
    const { ctx, checkpoints } = submitContext(input)
    const submitted = await api.submit(ctx)
    expect(submitted.providerBatchId).toMatch(/^batch_fake/)
    expect(submitted.snapshot).toMatchObject({ status: 'validating' })
    expect(checkpoints).toEqual([{ inputFileId: expect.stringMatching(/^file-fake/) }])
    const [file] = fake.batches.files()
    expect(file).toMatchObject({
      filename: 'in.jsonl',
      purpose: 'batch',
      bytes: encoder.encode(input).length,
    })
    expect(file!.contentLength).toBeGreaterThan(file!.bytes)
    expect(fake.batches.get(submitted.providerBatchId)?.metadata).toEqual({
      team: 'a',
      batchkit_batch_id: 'batch_local1',
    })

    const call = { batchId: 'batch_local1', credential: KEY, signal: new AbortController().signal }
    const batchCtx = { ...call, providerBatchId: submitted.providerBatchId, state: submitted.state ?? null }
    fake.batches.advance(submitted.providerBatchId, 2)
    expect(await api.poll(batchCtx)).toMatchObject({
      status: 'in_progress',
      counts: { total: 3, completed: 2, failed: 0 },
      times: { inProgressAt: expect.any(Number) },
    })
    fake.batches.complete(submitted.providerBatchId)
    const done = await api.poll(batchCtx)
    expect(done).toMatchObject({ status: 'completed', counts: { completed: 3 }, errorFileId: null })
    expect(done.usage?.totalTokens).toBeGreaterThan(0)
    const output = (await text(await api.openFile(call, done.outputFileId!))).trim().split('\n')
    expect(output.map((l) => JSON.parse(l).custom_id)).toEqual(['r-1', 'r-2', 'r-3'])
  })

  it('resumes an interrupted submit without uploading or creating twice', async () => {
    const fake = await start()
    const api = native(fake.url)
    const first = await api.submit(submitContext(lines(2)).ctx)
    const again = await api.submit(submitContext(lines(2), { state: first.state ?? null }).ctx)
    expect(again.providerBatchId).toBe(first.providerBatchId)
    expect(fake.batches.list()).toHaveLength(1)
    expect(fake.batches.files()).toHaveLength(1)
  })

  it('cancels; a cancel of a finished batch is a final 409', async () => {
    const fake = await start()
    const api = native(fake.url)
    const { providerBatchId } = await api.submit(submitContext(lines(2)).ctx)
    const ctx = {
      batchId: 'b',
      credential: KEY,
      signal: new AbortController().signal,
      providerBatchId,
      state: null,
    }
    expect(await api.cancel(ctx)).toMatchObject({ status: 'cancelling' })
    fake.batches.finishCancel(providerBatchId)
    expect(await api.poll(ctx)).toMatchObject({ status: 'cancelled' })
    const other = await api.submit(submitContext(lines(1)).ctx)
    fake.batches.complete(other.providerBatchId)
    const error = await api
      .cancel({ ...ctx, providerBatchId: other.providerBatchId })
      .catch((e: unknown) => e)
    expect(error).toMatchObject({ status: 409, retryable: false })
  })

  it('reports a bad key as a final error without the key', async () => {
    const fake = await start()
    const api = native(fake.url)
    const error = await api
      .submit(submitContext(lines(1), { credential: 'sk-wrong-key-abcdefgh' }).ctx)
      .catch((e: unknown) => e)
    expect(error).toMatchObject({ status: 401, retryable: false, code: 'invalid_api_key' })
    expect(String((error as Error).message)).not.toContain('sk-wrong-key-abcdefgh')
  })

  it('speaks Together: purpose batch-api, {job} answers, upper-case statuses, ISO times', async () => {
    const fake = await start({ native: { flavor: 'together' } })
    const api = native(fake.url, { flavor: 'together' })
    const submitted = await api.submit(submitContext(lines(2)).ctx)
    expect(fake.batches.files()[0]).toMatchObject({ purpose: 'batch-api', filename: 'in.jsonl' })
    fake.batches.complete(submitted.providerBatchId)
    const ctx = { batchId: 'b', credential: KEY, signal: new AbortController().signal }
    const done = await api.poll({ ...ctx, providerBatchId: submitted.providerBatchId, state: null })
    expect(done).toMatchObject({ status: 'completed', providerStatus: 'COMPLETED', model: 'gpt-4o-mini' })
    expect(done.times?.completedAt).toBeGreaterThan(1_600_000_000_000)
    expect((await text(await api.openFile(ctx, done.outputFileId!))).trim().split('\n')).toHaveLength(2)
    const resumed = await api.submit(submitContext(lines(2), { state: submitted.state ?? null }).ctx)
    expect(resumed.providerBatchId).toBe(submitted.providerBatchId)
  })

  it("reads Azure's old preview shape: capitalised statuses, ISO timestamps", async () => {
    const fake = await start({ native: { flavor: 'azure-preview' } })
    const api = native(fake.url)
    const submitted = await api.submit(submitContext(lines(2)).ctx)
    expect(submitted.snapshot).toMatchObject({ status: 'validating', providerStatus: 'Validating' })
    fake.batches.advance(submitted.providerBatchId, 1)
    const ctx = { batchId: 'b', credential: KEY, signal: new AbortController().signal }
    const running = await api.poll({ ...ctx, providerBatchId: submitted.providerBatchId, state: null })
    expect(running).toMatchObject({
      status: 'in_progress',
      providerStatus: 'InProgress',
      counts: { completed: 1 },
    })
    expect(running.times?.inProgressAt).toBeGreaterThan(1_600_000_000_000)
  })
})
