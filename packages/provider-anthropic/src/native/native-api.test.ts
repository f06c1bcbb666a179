import type { NativeBatchContext, NativeSubmitContext } from '@batchkit/core/provider'
import { ProviderCallError } from '@batchkit/core/provider'
import { type FakeAnthropic, startFakeAnthropic } from '@batchkit/testing/fake-anthropic'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { anthropic } from '../anthropic.ts'
import { chunkRequests } from './chunks.ts'
import { remapCustomIds } from './custom-ids.ts'

const model = 'claude-sonnet-4-5'

/** A JSONL input of chat lines with the given custom ids. */
function jsonl(ids: string[], extra: Record<string, unknown> = {}): string {
  return ids
    .map((id, i) =>
      JSON.stringify({
        custom_id: id,
        method: 'POST',
        url: '/v1/chat/completions',
        body: { model, messages: [{ role: 'user', content: `hello ${i + 1}` }], ...(i === 1 ? extra : {}) },
      }),
    )
    .join('\n')
}

/** A submit context over an input text; checkpoints land in `saved`. */
function submitContext(text: string, saved: Record<string, unknown>[] = []): NativeSubmitContext {
  const bytes = new TextEncoder().encode(text)
  return {
    batchId: 'batch_1',
    credential: 'sk-ant-native',
    signal: new AbortController().signal,
    endpoint: '/v1/chat/completions',
    completionWindow: '24h',
    metadata: null,
    model,
    lines: text.split('\n').length,
    input: {
      filename: 'in.jsonl',
      bytes: bytes.length,
      open: async () => new Response(bytes).body as ReadableStream<Uint8Array>,
    },
    state: null,
    checkpoint: async (state) => {
      saved.push(structuredClone(state))
    },
  }
}

/** Lines of a provider file. */
async function readLines(stream: ReadableStream<Uint8Array>): Promise<Record<string, unknown>[]> {
  const text = await new Response(stream).text()
  return text
    .trim()
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l))
}

describe('custom ids and chunks', () => {
  it('keeps accepted ids, remaps the others uniquely and restores them', () => {
    const { ids, restore } = remapCustomIds(['ok_1', 'has.dot', 'bk-3', 'x'.repeat(65)])
    expect(ids[0]).toBe('ok_1')
    expect(ids[2]).toBe('bk-3')
    expect(ids[1]).toBe('bk-2')
    expect(ids[3]).toBe('bk-4')
    expect(restore).toEqual({ 'bk-2': 'has.dot', 'bk-4': 'x'.repeat(65) })
    expect(remapCustomIds(['a', 'b.', 'bk-2']).ids).toEqual(['a', 'bk-2_', 'bk-2'])
  })

  it('splits by request count and by bytes', () => {
    expect(chunkRequests(['a', 'b', 'c'], 2).map((c) => c.length)).toEqual([2, 1])
    expect(chunkRequests(['aaaa', 'bbbb', 'cc'], 10, 10).map((c) => c.length)).toEqual([2, 1])
  })
})

describe('anthropic native (Message Batches) against the fake', () => {
  let upstream: FakeAnthropic
  beforeAll(async () => {
    upstream = await startFakeAnthropic({ requireKey: 'sk-ant-native', autoEndBatches: false })
  })
  afterAll(async () => upstream?.close())

  const native = () => {
    const provider = anthropic({ baseURL: upstream.url, mode: 'native' })
    expect(provider.mode).toBe('native')
    return provider.native!
  }

  it('submits, polls, and imports output and error lines with custom ids restored', async () => {
    const api = native()
    const saved: Record<string, unknown>[] = []
    const submitted = await api.submit(submitContext(jsonl(['a-1', 'b.2', 'c-3'], { temperature: 1 }), saved))
    expect(submitted.providerBatchId).toMatch(/^msgbatch_fake_/)
    expect(saved.at(-1)).toEqual({ batchIds: [submitted.providerBatchId], restore: { 'bk-2': 'b.2' } })
    const fake = upstream.batches.list().at(-1)!
    expect(fake.requests.map((r) => r.custom_id)).toEqual(['a-1', 'bk-2', 'c-3'])
    expect(fake.requests[0]?.params).toMatchObject({ model, max_tokens: 4096 })

    const ctx: NativeBatchContext = {
      batchId: 'batch_1',
      credential: 'sk-ant-native',
      signal: new AbortController().signal,
      providerBatchId: submitted.providerBatchId,
      state: submitted.state ?? null,
    }
    const running = await api.poll(ctx)
    expect(running).toMatchObject({ status: 'in_progress', counts: { total: 3, completed: 0, failed: 0 } })
    // An invalid request in the fake's eyes: make one line error.
    ;(fake.requests[2]!.params as Record<string, unknown>).max_tokens = 0
    upstream.batches.end(fake.id)
    const done = await api.poll(ctx)
    expect(done).toMatchObject({ status: 'completed', counts: { total: 3, completed: 2, failed: 1 } })
    expect(done.times?.completedAt).toBeGreaterThan(0)

    const output = await readLines(await api.openFile(ctx, done.outputFileId!))
    expect(output.map((l) => l.custom_id)).toEqual(['a-1', 'b.2'])
    expect(output[1]).toMatchObject({
      response: {
        status_code: 200,
        body: { object: 'chat.completion', choices: [{ message: { content: 'Echo: hello 2' } }] },
      },
      error: null,
    })
    const errors = await readLines(await api.openFile(ctx, done.errorFileId!))
    expect(errors).toEqual([
      {
        custom_id: 'c-3',
        response: {
          status_code: 400,
          body: {
            error: {
              message: 'max_tokens: Field required',
              type: 'invalid_request_error',
              param: null,
              code: 'invalid_request_error',
            },
          },
        },
        error: null,
      },
    ])
  })

  it('cancels: requests end canceled, the snapshot cancelled', async () => {
    const api = native()
    const submitted = await api.submit(submitContext(jsonl(['x', 'y'])))
    const ctx: NativeBatchContext = {
      batchId: 'batch_2',
      credential: 'sk-ant-native',
      signal: new AbortController().signal,
      providerBatchId: submitted.providerBatchId,
      state: submitted.state ?? null,
    }
    await api.cancel(ctx)
    expect((await api.poll(ctx)).status).toBe('cancelling')
    upstream.batches.end(submitted.providerBatchId)
    const done = await api.poll(ctx)
    expect(done).toMatchObject({
      status: 'cancelled',
      counts: { total: 2, completed: 0, failed: 2 },
      outputFileId: null,
    })
    const errors = await readLines(await api.openFile(ctx, done.errorFileId!))
    expect(errors.map((l) => l.error)).toEqual([
      { code: 'batch_cancelled', message: expect.any(String) },
      { code: 'batch_cancelled', message: expect.any(String) },
    ])
  })

  it('fails the submit for good naming the line and field of an untranslatable line, before any batch is created', async () => {
    const before = upstream.batches.list().length
    const error = await native()
      .submit(submitContext(jsonl(['a', 'b'], { n: 2 })))
      .catch((e: unknown) => e)
    expect(error).toBeInstanceOf(ProviderCallError)
    expect(error).toMatchObject({ retryable: false, status: 400 })
    expect((error as Error).message).toMatch(/^Line 2: .*`n` must be 1.*body\.n/)
    expect(upstream.batches.list().length).toBe(before)
  })

  it('resumes an interrupted submit without creating the batch again', async () => {
    const api = native()
    const first = await api.submit(submitContext(jsonl(['r1'])))
    const count = upstream.batches.list().length
    const again = await api.submit({ ...submitContext(jsonl(['r1'])), state: first.state ?? null })
    expect(again.providerBatchId).toBe(first.providerBatchId)
    expect(upstream.batches.list().length).toBe(count)
  })

  it('maps a bad key to a final ProviderCallError without the key', async () => {
    const error = await native()
      .submit({ ...submitContext(jsonl(['k'])), credential: 'sk-wrong-key' })
      .catch((e: unknown) => e)
    expect(error).toMatchObject({ status: 401, retryable: false })
    expect((error as Error).message).not.toContain('sk-wrong-key')
  })
})
