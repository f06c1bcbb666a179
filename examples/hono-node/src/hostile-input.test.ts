import type { Store } from '@batchkit/core'
import { mockProvider } from '@batchkit/provider-mock'
import { memoryStore } from '@batchkit/store-memory'
import { createTestSchema, type TestSchema } from '@batchkit/store-postgres/testing'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { readConfig } from './config.ts'
import { type ReferenceServer, startReferenceServer } from './server.ts'

/**
 * Hostile input against the reference server over real HTTP, on both stores: text a database cannot
 * store (NUL, unpaired surrogates) in every id, cursor, filename, metadata and line field, and input
 * built to blow up error messages. Every answer is a 4xx in OpenAI's envelope (never a 500), and every
 * batch ends `failed` with line-numbered errors (never stuck in `validating`).
 */

const stores: [string, () => Promise<{ store: Store; drop(): Promise<void> }>][] = [
  ['memory', async () => ({ store: memoryStore(), drop: async () => {} })],
  [
    'postgres',
    async () => {
      const schema: TestSchema = await createTestSchema('hostile')
      const store = schema.store()
      return { store, drop: () => schema.drop() }
    },
  ],
]

const line = (over: Record<string, unknown> = {}, body: Record<string, unknown> = {}, i = 1): string =>
  JSON.stringify({
    custom_id: `r${i}`,
    method: 'POST',
    url: '/v1/chat/completions',
    body: { model: 'm', messages: [{ role: 'user', content: 'hi' }], ...body },
    ...over,
  })

describe.each(stores)('hostile input on the %s store', (_name, open) => {
  let server: ReferenceServer
  let drop: () => Promise<void>
  const auth = { authorization: 'Bearer hostile-tenant' }

  beforeAll(async () => {
    const opened = await open()
    drop = opened.drop
    server = await startReferenceServer({
      config: { ...readConfig({}), port: 0, pollMs: 20 },
      store: opened.store,
      providers: [mockProvider({ name: 'mock', latencyMs: 0 })],
    })
  })
  afterAll(async () => {
    await server?.close()
    await drop?.()
  })

  const call = (method: string, path: string, init: RequestInit = {}) =>
    fetch(`${server.url}${path}`, { method, ...init, headers: { ...auth, ...(init.headers as object) } })

  async function expectError(res: Response, status: number, param?: string | null): Promise<string> {
    const text = await res.text()
    expect(res.status, text).toBe(status)
    const body = JSON.parse(text) as { error: Record<string, unknown> }
    expect(Object.keys(body.error).sort()).toEqual(['code', 'message', 'param', 'type'])
    if (param !== undefined) expect(body.error.param).toBe(param)
    return body.error.message as string
  }

  async function upload(text: string, filename = 'in.jsonl'): Promise<string> {
    const form = new FormData()
    form.append('purpose', 'batch')
    form.append('file', new File([text], filename))
    const res = await call('POST', '/files', { body: form })
    expect(res.status, await res.clone().text()).toBe(200)
    return ((await res.json()) as { id: string }).id
  }

  async function createBatch(fileId: string): Promise<string> {
    const res = await call('POST', '/batches', {
      headers: { 'content-type': 'application/json', 'x-provider': 'mock' },
      body: JSON.stringify({
        input_file_id: fileId,
        endpoint: '/v1/chat/completions',
        completion_window: '24h',
      }),
    })
    expect(res.status, await res.clone().text()).toBe(200)
    return ((await res.json()) as { id: string }).id
  }

  async function settled(batchId: string): Promise<Record<string, unknown>> {
    for (let i = 0; i < 400; i++) {
      const batch = (await (await call('GET', `/batches/${batchId}`)).json()) as Record<string, unknown>
      if (batch.status !== 'validating' && batch.status !== 'in_progress' && batch.status !== 'finalizing')
        return batch
      await new Promise((r) => setTimeout(r, 25))
    }
    throw new Error(`batch ${batchId} never settled`)
  }

  it('answers ids and cursors with NUL or unpaired surrogates 404 / 400, never 500', async () => {
    for (const id of ['%00', 'batch_%00', '%ED%A0%80', `batch_${'x'.repeat(5000)}`, '%F0%9F%98']) {
      await expectError(await call('GET', `/batches/${id}`), 404)
      await expectError(await call('POST', `/batches/${id}/cancel`), 404)
      await expectError(await call('GET', `/files/${id}`), 404)
      await expectError(await call('GET', `/files/${id}/content`), 404)
      await expectError(await call('DELETE', `/files/${id}`), 404)
    }
    await expectError(await call('GET', '/batches?after=%00'), 400, 'after')
    await expectError(await call('GET', '/files?after=file-%00'), 400, 'after')
    // Invalid UTF-8 in a query decodes to U+FFFD: an unknown cursor, an empty page.
    const lone = await call('GET', '/batches?after=%ED%A0%80')
    expect(lone.status).toBe(200)
    expect(((await lone.json()) as { data: unknown[] }).data).toEqual([])
  })

  it('rejects input_file_id and metadata that cannot be stored with 400 naming the param', async () => {
    const create = (body: Record<string, unknown>) =>
      call('POST', '/batches', {
        headers: { 'content-type': 'application/json', 'x-provider': 'mock' },
        body: JSON.stringify({ endpoint: '/v1/chat/completions', completion_window: '24h', ...body }),
      })
    const fileId = await upload(`${line()}\n`)
    await expectError(await create({ input_file_id: 'file-\u0000' }), 400, 'input_file_id')
    await expectError(await create({ input_file_id: '\ud800' }), 400, 'input_file_id')
    await expectError(await create({ input_file_id: fileId, metadata: { 'k\u0000': 'v' } }), 400, 'metadata')
    await expectError(await create({ input_file_id: fileId, metadata: { k: 'v\ud800' } }), 400, 'metadata.k')
    await expectError(await create({ input_file_id: fileId, metadata: { k: 'a\u0000b' } }), 400, 'metadata.k')
  })

  it('rejects filenames that cannot be stored', async () => {
    for (const filename of ['a\u0000.jsonl', `${'n'.repeat(2000)}.jsonl`]) {
      const form = new FormData()
      form.append('purpose', 'batch')
      form.append('file', new File([`${line()}\n`], filename))
      const res = await call('POST', '/files', { body: form })
      expect(res.status).toBeLessThan(500)
      if (res.status !== 200) await expectError(res, res.status)
    }
  })

  it('fails lines whose custom_id or model cannot be stored, with line numbers; nothing stays validating', async () => {
    const lines = [
      line({ custom_id: 'ok-1' }, {}, 1),
      line({ custom_id: 'nul\u0000id' }),
      line({ custom_id: 'lone\ud800' }),
      line({ custom_id: 'ok-4' }, { model: 'm\u0000' }),
      line({ custom_id: 'ok-5', url: `/v1/x\u0000${'u'.repeat(100_000)}` }),
      line({ custom_id: 'ok-6' }, { model: '\udfff' }),
    ]
    const batch = await settled(await createBatch(await upload(`${lines.join('\n')}\n`)))
    expect(batch.status).toBe('failed')
    const errors = (
      batch.errors as { data: { code: string; line: number; param: string; message: string }[] }
    ).data
    expect(errors.map((e) => [e.line, e.param])).toEqual([
      [2, 'custom_id'],
      [3, 'custom_id'],
      [4, 'body.model'],
      [5, 'url'],
      [6, 'body.model'],
    ])
    for (const error of errors) {
      expect(error.message.length).toBeLessThanOrEqual(500)
      expect(error.message.includes('\u0000')).toBe(false)
      expect(error.message).not.toMatch(/\p{Surrogate}/u)
    }
  })

  it('keeps batch errors and list pages small whatever the input (16 MiB lines, thousands of errors)', async () => {
    const huge = `/v1/${'u'.repeat(4 * 1024 * 1024)}`
    const lines = Array.from({ length: 3 }, (_, i) => line({ custom_id: `h${i}`, url: huge }, {}, i))
    const many = Array.from({ length: 3_000 }, (_, i) => line({ custom_id: `m${i}`, method: 'GET' }, {}, i))
    const ids: string[] = []
    for (const text of [lines.join('\n'), many.join('\n')])
      ids.push(await createBatch(await upload(`${text}\n`)))
    for (const id of ids) {
      const batch = await settled(id)
      expect(batch.status).toBe('failed')
      expect(JSON.stringify(batch).length).toBeLessThan(100_000)
    }
    const list = await call('GET', '/batches?limit=100')
    expect(list.status).toBe(200)
    expect((await list.text()).length).toBeLessThan(1_000_000)
  })

  it('survives lines asking the mock for gigantic answers: they fail with a 400 of their own', async () => {
    const embeddings = Array.from({ length: 8 }, (_, i) =>
      JSON.stringify({
        custom_id: `e${i}`,
        method: 'POST',
        url: '/v1/embeddings',
        body: { model: 'm', input: new Array(6_000).fill('x'), dimensions: 4096 },
      }),
    )
    const form = new FormData()
    form.append('purpose', 'batch')
    form.append('file', new File([`${embeddings.join('\n')}\n`], 'e.jsonl'))
    const file = (await (await call('POST', '/files', { body: form })).json()) as { id: string }
    const res = await call('POST', '/batches', {
      headers: { 'content-type': 'application/json', 'x-provider': 'mock' },
      body: JSON.stringify({ input_file_id: file.id, endpoint: '/v1/embeddings', completion_window: '24h' }),
    })
    const batch = await settled(((await res.json()) as { id: string }).id)
    expect(batch.status).toBe('completed')
    expect(batch.request_counts).toEqual({ total: 8, completed: 0, failed: 8 })
    const completions = JSON.stringify({
      custom_id: 'c',
      method: 'POST',
      url: '/v1/completions',
      body: { model: 'm', n: 16, prompt: new Array(500_000).fill('') },
    })
    const done = await settled(await createCompletions(await upload(`${completions}\n`)))
    expect(done.request_counts).toEqual({ total: 1, completed: 0, failed: 1 })
  })

  async function createCompletions(fileId: string): Promise<string> {
    const res = await call('POST', '/batches', {
      headers: { 'content-type': 'application/json', 'x-provider': 'mock' },
      body: JSON.stringify({ input_file_id: fileId, endpoint: '/v1/completions', completion_window: '24h' }),
    })
    return ((await res.json()) as { id: string }).id
  }
})
