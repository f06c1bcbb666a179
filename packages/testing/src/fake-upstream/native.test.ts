import { afterEach, describe, expect, it } from 'vitest'
import { startFakeUpstream } from './start.ts'
import type { FakeUpstream, FakeUpstreamOptions } from './types.ts'

let upstream: FakeUpstream | undefined
const start = async (options?: FakeUpstreamOptions): Promise<FakeUpstream> => {
  upstream = await startFakeUpstream(options)
  return upstream
}
afterEach(async () => {
  await upstream?.close()
  upstream = undefined
})

const jsonl = (n: number): string =>
  Array.from({ length: n }, (_, i) =>
    JSON.stringify({
      custom_id: `c-${i + 1}`,
      method: 'POST',
      url: '/v1/chat/completions',
      body: { model: 'gpt-4o-mini', messages: [{ role: 'user', content: `q${i + 1}` }] },
    }),
  ).join('\n')

async function uploadAndCreate(url: string, n: number, purpose = 'batch', path = '/files') {
  const form = new FormData()
  form.set('purpose', purpose)
  form.set('file', new Blob([jsonl(n)]), 'in.jsonl')
  const file = (await (await fetch(`${url}${path}`, { method: 'POST', body: form })).json()) as { id: string }
  const res = await fetch(`${url}/batches`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      input_file_id: file.id,
      endpoint: '/v1/chat/completions',
      completion_window: '24h',
    }),
  })
  return { file, res, batch: (await res.json()) as Record<string, unknown> }
}

const get = async (url: string): Promise<Record<string, unknown>> =>
  (await (await fetch(url)).json()) as Record<string, unknown>

describe('fake upstream Files + Batches API (native mode)', () => {
  it('uploads, creates, and moves batches only when told to', async () => {
    const fake = await start({ seed: 3 })
    const { file, batch } = await uploadAndCreate(fake.url, 4)
    expect(await get(`${fake.url}/files/${file.id}`)).toMatchObject({
      object: 'file',
      purpose: 'batch',
      filename: 'in.jsonl',
    })
    expect(batch).toMatchObject({
      object: 'batch',
      status: 'validating',
      input_file_id: file.id,
      request_counts: { total: 4, completed: 0, failed: 0 },
      in_progress_at: null,
      expires_at: (batch.created_at as number) + 86_400,
    })
    const id = batch.id as string
    expect(await get(`${fake.url}/batches/${id}`)).toMatchObject({ status: 'validating' })
    fake.batches.advance(id, 3)
    expect(await get(`${fake.url}/batches/${id}`)).toMatchObject({
      status: 'in_progress',
      request_counts: { completed: 3 },
      in_progress_at: expect.any(Number),
    })
    fake.batches.complete(id)
    const done = await get(`${fake.url}/batches/${id}`)
    expect(done).toMatchObject({
      status: 'completed',
      request_counts: { total: 4, completed: 4, failed: 0 },
      error_file_id: null,
    })
    expect((done.usage as { total_tokens: number }).total_tokens).toBeGreaterThan(0)
    const output = await (await fetch(`${fake.url}/files/${done.output_file_id as string}/content`)).text()
    const first = JSON.parse(output.split('\n')[0]!)
    expect(first).toMatchObject({
      custom_id: 'c-1',
      response: {
        status_code: 200,
        body: { object: 'chat.completion', choices: [{ message: { content: 'Echo: q1' } }] },
      },
      error: null,
    })
  })

  it('cancels (409 with x-should-retry: false once finished), fails and expires on command', async () => {
    const fake = await start()
    const a = (await uploadAndCreate(fake.url, 3)).batch.id as string
    const cancel = await fetch(`${fake.url}/batches/${a}/cancel`, { method: 'POST' })
    expect(await cancel.json()).toMatchObject({ status: 'cancelling', cancelling_at: expect.any(Number) })
    expect(fake.batches.finishCancel(a)).toMatchObject({ status: 'cancelled', completed: 0 })
    const b = (await uploadAndCreate(fake.url, 1)).batch.id as string
    fake.batches.complete(b)
    const refused = await fetch(`${fake.url}/batches/${b}/cancel`, { method: 'POST' })
    expect(refused.status).toBe(409)
    expect(refused.headers.get('x-should-retry')).toBe('false')
    const c = (await uploadAndCreate(fake.url, 2)).batch.id as string
    expect(fake.batches.fail(c)).toMatchObject({ status: 'failed' })
    expect(await get(`${fake.url}/batches/${c}`)).toMatchObject({
      errors: { object: 'list', data: [{ code: 'token_limit_exceeded', line: null }] },
    })
    const d = (await uploadAndCreate(fake.url, 3)).batch.id as string
    fake.batches.advance(d, 1)
    const expired = fake.batches.expire(d)
    expect(expired).toMatchObject({ status: 'expired', completed: 1, failed: 2 })
    const errors = await (await fetch(`${fake.url}/files/${expired.errorFileId}/content`)).text()
    expect(JSON.parse(errors.split('\n')[0]!)).toMatchObject({
      response: null,
      error: { code: 'batch_expired' },
    })
  })

  it('lists batches newest first with cursor pagination, and 404s unknown ids', async () => {
    const fake = await start()
    const ids: string[] = []
    for (let i = 0; i < 3; i++) ids.push((await uploadAndCreate(fake.url, 1)).batch.id as string)
    const page = await get(`${fake.url}/batches?limit=2`)
    expect((page.data as { id: string }[]).map((b) => b.id)).toEqual([ids[2], ids[1]])
    expect(page.has_more).toBe(true)
    const next = await get(`${fake.url}/batches?limit=2&after=${ids[1]}`)
    expect((next.data as { id: string }[]).map((b) => b.id)).toEqual([ids[0]])
    expect(next.has_more).toBe(false)
    expect((await fetch(`${fake.url}/batches/batch_nope`)).status).toBe(404)
    expect((await fetch(`${fake.url}/files/file-nope/content`)).status).toBe(404)
  })

  it('runs batches by itself at linesPerSecond, with error lines at lineErrorRate', async () => {
    const fake = await start({ native: { linesPerSecond: 200, lineErrorRate: 0.5 }, seed: 9 })
    const id = (await uploadAndCreate(fake.url, 20)).batch.id as string
    let batch = await get(`${fake.url}/batches/${id}`)
    expect(batch.status).toBe('in_progress')
    const started = Date.now()
    while (batch.status !== 'completed' && Date.now() - started < 3_000) {
      await new Promise((r) => setTimeout(r, 20))
      batch = await get(`${fake.url}/batches/${id}`)
    }
    const counts = batch.request_counts as { completed: number; failed: number }
    expect(batch.status).toBe('completed')
    expect(counts.completed + counts.failed).toBe(20)
    expect(counts.failed).toBeGreaterThan(0)
    expect(counts.completed).toBeGreaterThan(0)
  })

  it("speaks Together's dialect and Azure's old preview shape", async () => {
    const together = await start({ native: { flavor: 'together' } })
    const { batch } = await uploadAndCreate(together.url, 2, 'batch-api', '/files/upload')
    expect(batch).toMatchObject({ job: { status: 'VALIDATING', created_at: expect.stringMatching(/Z$/) } })
    expect(Array.isArray(await (await fetch(`${together.url}/batches`)).json())).toBe(true)
    await together.close()
    const azure = await start({ native: { flavor: 'azure-preview' } })
    const created = (await uploadAndCreate(azure.url, 1)).batch
    azure.batches.advance(created.id as string, 1)
    expect(await get(`${azure.url}/batches/${created.id as string}`)).toMatchObject({
      status: 'InProgress',
      in_progress_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
    })
  })

  it('requires the key on the Files and Batches API too', async () => {
    const fake = await start({ requireKey: 'sk-native' })
    expect((await fetch(`${fake.url}/batches`)).status).toBe(401)
    const ok = await fetch(`${fake.url}/batches`, { headers: { authorization: 'Bearer sk-native' } })
    expect(ok.status).toBe(200)
  })

  it('can leave out the rate-limit headers and still answer 429 with retry-after', async () => {
    const fake = await start({ rpm: 1, rateLimitHeaders: false })
    const call = () =>
      fetch(`${fake.url}/embeddings`, { method: 'POST', body: JSON.stringify({ model: 'e', input: 'x' }) })
    const first = await call()
    expect(first.status).toBe(200)
    expect(first.headers.get('x-ratelimit-limit-requests')).toBeNull()
    const second = await call()
    expect(second.status).toBe(429)
    expect(second.headers.get('x-ratelimit-remaining-requests')).toBeNull()
    expect(Number(second.headers.get('retry-after-ms'))).toBeGreaterThan(50_000)
  })
})
