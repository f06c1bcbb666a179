import {
  type BatchEngine,
  type BatchObject,
  createBatchEngine,
  type FileObject,
  type Limits,
} from '@batchkit/core'
import { mockProvider } from '@batchkit/provider-mock'
import { memoryStore } from '@batchkit/store-memory'
import { describe, expect, it } from 'vitest'
import { expectError, expectJson, req } from './__fixtures__/http.ts'
import { multipartBody, uploadParts } from './__fixtures__/multipart-body.ts'
import { createFetchHandler } from './fetch-handler.ts'

function serve(options: { providers?: string[]; limits?: Partial<Limits> } = {}) {
  const engine: BatchEngine = createBatchEngine({
    store: memoryStore(),
    providers: (options.providers ?? ['mock']).map((name) => mockProvider({ name })),
    secret: 'test-secret-test-secret-test-secret',
    ...(options.limits ? { limits: options.limits } : {}),
  })
  return { engine, handle: createFetchHandler({ engine }) }
}

const lines = (n: number, endpoint = '/v1/chat/completions'): string =>
  Array.from({ length: n }, (_, i) =>
    JSON.stringify({
      custom_id: `req-${i}`,
      method: 'POST',
      url: endpoint,
      body: { model: 'mock-1', messages: [{ role: 'user', content: `hello ${i}` }] },
    }),
  ).join('\n')

async function uploadJsonl(
  handle: (r: Request) => Promise<Response>,
  content: string,
  token = 'sk-alice',
): Promise<FileObject> {
  const form = new FormData()
  form.append('file', new File([content], 'input.jsonl'))
  form.append('purpose', 'batch')
  return expectJson<FileObject>(await handle(req('POST', '/v1/files', { body: form, token })))
}

const createBody = (inputFileId: string) => ({
  input_file_id: inputFileId,
  endpoint: '/v1/chat/completions',
  completion_window: '24h',
  metadata: { run: 'hono-test' },
})

async function runToEnd(engine: BatchEngine): Promise<void> {
  for (let i = 0; i < 200; i++) {
    const report = await engine.runner.tick({ budgetMs: 200 })
    if (!report.more) return
  }
  throw new Error('runner did not settle')
}

describe('with the real engine', () => {
  it('uploads, creates, shows progress, and deletes over HTTP', async () => {
    const { engine, handle } = serve()
    const input = await uploadJsonl(handle, lines(3))
    expect(input).toMatchObject({
      object: 'file',
      purpose: 'batch',
      filename: 'input.jsonl',
      status: 'processed',
    })
    const content = await handle(req('GET', `/v1/files/${input.id}/content`))
    expect(content.headers.get('content-length')).toBe(String(input.bytes))
    expect(await content.text()).toBe(lines(3))

    const created = await expectJson<BatchObject>(
      await handle(req('POST', '/v1/batches', { json: createBody(input.id) })),
    )
    expect(created).toMatchObject({ object: 'batch', status: 'validating', input_file_id: input.id })
    expect(created.batchkit).toMatchObject({ provider: 'mock', mode: 'emulated' })

    let batch = created
    for (let i = 0; i < 20 && batch.request_counts.completed < 3; i++) {
      await runToEnd(engine)
      batch = await expectJson<BatchObject>(await handle(req('GET', `/v1/batches/${created.id}`)))
    }
    expect(batch.request_counts).toEqual({ total: 3, completed: 3, failed: 0 })

    const deleted = await expectJson(await handle(req('DELETE', `/v1/files/${input.id}`)))
    expect(deleted).toEqual({ id: input.id, object: 'file', deleted: true })
    await expectError(await handle(req('GET', `/v1/files/${input.id}`)), 404, 'not_found', 'id')
  })

  it('serves the output of a completed batch, and refuses to cancel it with 409', async () => {
    const { engine, handle } = serve()
    const input = await uploadJsonl(handle, lines(3))
    const created = await expectJson<BatchObject>(
      await handle(req('POST', '/v1/batches', { json: createBody(input.id) })),
    )
    let batch = created
    for (let i = 0; i < 20 && batch.status !== 'completed'; i++) {
      await runToEnd(engine)
      batch = await expectJson<BatchObject>(await handle(req('GET', `/v1/batches/${created.id}`)))
    }
    expect(batch.status).toBe('completed')
    expect(batch.request_counts).toEqual({ total: 3, completed: 3, failed: 0 })

    const output = await handle(req('GET', `/v1/files/${batch.output_file_id}/content`))
    expect(output.status).toBe(200)
    expect(output.headers.get('content-type')).toBe('application/octet-stream')
    const text = await output.text()
    expect(Number(output.headers.get('content-length'))).toBe(new TextEncoder().encode(text).byteLength)
    const ids = text
      .trim()
      .split('\n')
      .map((line) => (JSON.parse(line) as { custom_id: string }).custom_id)
      .sort()
    expect(ids).toEqual(['req-0', 'req-1', 'req-2'])

    const cancel = await handle(req('POST', `/v1/batches/${created.id}/cancel`))
    expect(cancel.headers.get('x-should-retry')).toBe('false')
    await expectError(cancel, 409, 'batch_not_cancellable')
  })

  it('paginates batches with limit and after', async () => {
    const { handle } = serve()
    const input = await uploadJsonl(handle, lines(1))
    const ids: string[] = []
    for (let i = 0; i < 3; i++) {
      const batch = await expectJson<BatchObject>(
        await handle(req('POST', '/v1/batches', { json: createBody(input.id) })),
      )
      ids.push(batch.id)
    }
    const first = await expectJson<{ data: BatchObject[]; has_more: boolean; last_id: string }>(
      await handle(req('GET', '/v1/batches?limit=2')),
    )
    expect(first.data.map((b) => b.id)).toEqual([ids[2], ids[1]])
    expect(first.has_more).toBe(true)
    const second = await expectJson<{ data: BatchObject[]; has_more: boolean }>(
      await handle(req('GET', `/v1/batches?limit=2&after=${first.last_id}`)),
    )
    expect(second.data.map((b) => b.id)).toEqual([ids[0]])
    expect(second.has_more).toBe(false)
  })

  it('keeps tenants apart', async () => {
    const { handle } = serve()
    const input = await uploadJsonl(handle, lines(1))
    const batch = await expectJson<BatchObject>(
      await handle(req('POST', '/v1/batches', { json: createBody(input.id) })),
    )
    const bob = { token: 'sk-bob' }
    await expectError(await handle(req('GET', `/v1/batches/${batch.id}`, bob)), 404, 'not_found')
    await expectError(await handle(req('POST', `/v1/batches/${batch.id}/cancel`, bob)), 404, 'not_found')
    await expectError(await handle(req('GET', `/v1/files/${input.id}`, bob)), 404, 'not_found')
    await expectError(await handle(req('GET', `/v1/files/${input.id}/content`, bob)), 404, 'not_found')
    await expectError(await handle(req('DELETE', `/v1/files/${input.id}`, bob)), 404, 'not_found')
    const lists = await Promise.all([
      expectJson<{ data: unknown[] }>(await handle(req('GET', '/v1/batches', bob))),
      expectJson<{ data: unknown[] }>(await handle(req('GET', '/v1/files', bob))),
    ])
    expect(lists.map((l) => l.data)).toEqual([[], []])
  })

  it('renders the engine validation errors as 4xx envelopes, never 500', async () => {
    const { handle } = serve({ providers: ['a', 'b'] })
    const input = await uploadJsonl(handle, lines(1))
    const post = (json: unknown, headers: Record<string, string> = { 'x-provider': 'a' }) =>
      handle(req('POST', '/v1/batches', { json, headers }))

    await expectError(await post(createBody(input.id), { 'x-provider': 'nope' }), 400, 'unknown_provider')
    await expectError(await post(createBody(input.id), {}), 400, 'missing_required_parameter', 'x-provider')
    await expectError(
      await post({ ...createBody(input.id), endpoint: '/v1/nope' }),
      400,
      'invalid_value',
      'endpoint',
    )
    await expectError(
      await post({ ...createBody(input.id), completion_window: '48h' }),
      400,
      'invalid_value',
      'completion_window',
    )
    await expectError(
      await post({ ...createBody(input.id), metadata: { tags: 1 } }),
      400,
      'invalid_type',
      'metadata.tags',
    )
    await expectError(await post({}), 400, 'missing_required_parameter', 'input_file_id')
    await expectError(await post([createBody(input.id)]), 400, 'invalid_request', null)

    const upload = (parts: ReturnType<typeof uploadParts>) =>
      handle(
        req('POST', '/v1/files', {
          headers: { 'content-type': 'multipart/form-data; boundary=b0undary' },
          body: multipartBody('b0undary', parts),
        }),
      )
    await expectError(await upload(uploadParts('x', 'nonsense')), 400, 'invalid_value', 'purpose')
    await expectError(
      await upload(uploadParts('x', 'batch', 'input.csv')),
      400,
      'invalid_file_format',
      'file',
    )
    await expectError(
      await upload([
        ...uploadParts(),
        { name: 'expires_after[anchor]', data: 'created_at' },
        { name: 'expires_after[seconds]', data: '12' },
      ]),
      400,
      'invalid_value',
      'expires_after.seconds',
    )
    await expectError(
      await upload([...uploadParts(), { name: 'expires_after.seconds', data: '3600' }]),
      400,
      'missing_required_parameter',
      'expires_after.anchor',
    )
    const files = await expectJson<{ data: FileObject[] }>(await handle(req('GET', '/v1/files')))
    expect(files.data.map((f) => f.id)).toEqual([input.id]) // nothing rejected was kept
  })

  it('accepts expires_after in both notations', async () => {
    const { handle } = serve()
    for (const [anchor, seconds] of [
      ['expires_after[anchor]', 'expires_after[seconds]'],
      ['expires_after.anchor', 'expires_after.seconds'],
    ] as const) {
      const form = new FormData()
      form.append('file', new File(['{}'], 'a.jsonl'))
      form.append('purpose', 'batch')
      form.append(anchor, 'created_at')
      form.append(seconds, '3600')
      const file = await expectJson<FileObject>(await handle(req('POST', '/v1/files', { body: form })))
      expect(file.expires_at).toBe(file.created_at + 3600)
    }
  })

  it('enforces the file size cap while streaming and stores nothing', async () => {
    const { handle } = serve({ limits: { maxBatchFileBytes: 1024, maxFileBytes: 4096 } })
    const big = lines(200)
    const purposeFirst = [uploadParts(big)[1]!, uploadParts(big)[0]!]
    const res = await handle(
      req('POST', '/v1/files', {
        headers: { 'content-type': 'multipart/form-data; boundary=b0undary' },
        body: multipartBody('b0undary', purposeFirst),
      }),
    )
    await expectError(res, 413, 'file_too_large')
    const files = await expectJson<{ data: unknown[] }>(await handle(req('GET', '/v1/files')))
    expect(files.data).toEqual([])
  })
})
