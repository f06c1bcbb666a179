import { batchObjectSchema, fileObjectSchema, offsetClock } from '@batchkit/core'
import { mockProvider } from '@batchkit/provider-mock'
import { openaiCompatible } from '@batchkit/provider-openai'
import { type FakeUpstream, startFakeUpstream } from '@batchkit/testing/fake-upstream'
import OpenAI, { toFile } from 'openai'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { readConfig } from './config.ts'
import { chatJsonl, submitChatBatch } from './sdk-fixtures.ts'
import { type ReferenceServer, startReferenceServer } from './server.ts'

/**
 * End to end: the official openai SDK against the reference server over real HTTP on loopback.
 */
describe('reference server driven by the openai SDK', () => {
  const clock = offsetClock()
  let server: ReferenceServer
  let upstream: FakeUpstream
  let requests = 0

  const client = (apiKey = 'tenant-a', provider = 'mock') =>
    new OpenAI({
      baseURL: server.url,
      apiKey,
      defaultHeaders: { 'x-provider': provider },
      fetch: (input, init) => {
        requests++
        return fetch(input, init)
      },
    })

  async function waitFor(openai: OpenAI, id: string, statuses: string[], timeoutMs = 20_000) {
    const started = Date.now()
    for (;;) {
      const batch = await openai.batches.retrieve(id)
      if (statuses.includes(batch.status)) return batch
      if (Date.now() - started > timeoutMs) throw new Error(`batch ${id} stuck in ${batch.status}`)
      await new Promise((r) => setTimeout(r, 25))
    }
  }

  beforeAll(async () => {
    upstream = await startFakeUpstream({ requireKey: 'sk-upstream' })
    server = await startReferenceServer({
      config: { ...readConfig({}), port: 0 },
      clock,
      providers: [
        mockProvider({ name: 'mock', latencyMs: 1, concurrency: 32 }),
        mockProvider({ name: 'flaky', errorRate: 0.3, seed: 3 }),
        mockProvider({ name: 'slow', latencyMs: 40, concurrency: 2 }),
        openaiCompatible({ baseURL: upstream.url }),
      ],
    })
  })
  afterAll(async () => {
    await server?.close()
    await upstream?.close()
  })

  it('uploads, retrieves, lists and deletes files', async () => {
    const openai = client()
    const file = await openai.files.create({
      file: await toFile(Buffer.from(chatJsonl(3)), 'x.jsonl'),
      purpose: 'batch',
    })
    expect(file).toMatchObject({ object: 'file', filename: 'x.jsonl', purpose: 'batch', status: 'processed' })
    expect(file.bytes).toBe(Buffer.byteLength(chatJsonl(3)))
    expect(await openai.files.retrieve(file.id)).toEqual(file)
    expect(await (await openai.files.content(file.id)).text()).toBe(chatJsonl(3))
    const listed = await openai.files.list({ purpose: 'batch' })
    expect(listed.data.map((f) => f.id)).toContain(file.id)
    expect(await openai.files.delete(file.id)).toEqual({ id: file.id, object: 'file', deleted: true })
    await expect(openai.files.retrieve(file.id)).rejects.toBeInstanceOf(OpenAI.NotFoundError)
  })

  it('runs a batch to completed and serves output and error files', async () => {
    const openai = client('tenant-a', 'flaky')
    const created = await submitChatBatch(openai, 50)
    expect(created.status).toBe('validating')
    const done = await waitFor(openai, created.id, ['completed', 'failed'])
    expect(done.status).toBe('completed')
    // The exact wire shape: every field present, timestamps in seconds, nothing extra.
    expect(() => batchObjectSchema.strict().parse(done)).not.toThrow()
    expect(done.created_at).toBeLessThan(10_000_000_000)
    expect(done.request_counts?.total).toBe(50)
    const output = (await (await openai.files.content(done.output_file_id!)).text()).trim().split('\n')
    const errors = (await (await openai.files.content(done.error_file_id!)).text()).trim().split('\n')
    expect(output.length).toBe(done.request_counts?.completed)
    expect(errors.length).toBe(done.request_counts?.failed)
    expect(errors.length).toBeGreaterThan(0)
    const ids = [...output, ...errors].map((l) => (JSON.parse(l) as { custom_id: string }).custom_id)
    expect(new Set(ids).size).toBe(50)
    expect(JSON.parse(errors[0]!)).toMatchObject({ response: { status_code: 400 }, error: null })
    const outputFile = await openai.files.retrieve(done.output_file_id!)
    expect(outputFile.purpose).toBe('batch_output')
    expect(() => fileObjectSchema.strict().parse(outputFile)).not.toThrow()
  })

  it('auto-paginates batches.list across pages, newest first', async () => {
    const openai = client('tenant-pages')
    const ids: string[] = []
    for (let i = 0; i < 7; i++) ids.push((await submitChatBatch(openai, 1)).id)
    const seen: string[] = []
    for await (const batch of openai.batches.list({ limit: 2 })) seen.push(batch.id)
    expect(seen).toEqual(ids.reverse())
  })

  it('cancels a running batch, keeping partial output; 409 on cancelling a completed batch', async () => {
    const openai = client('tenant-a', 'slow')
    const created = await submitChatBatch(openai, 200, 'c')
    let batch = await waitFor(openai, created.id, ['in_progress'])
    while ((batch.request_counts?.completed ?? 0) < 4) batch = await openai.batches.retrieve(created.id)
    const cancelling = await openai.batches.cancel(created.id)
    expect(['cancelling', 'cancelled']).toContain(cancelling.status)
    const cancelled = await waitFor(openai, created.id, ['cancelled'])
    const counts = cancelled.request_counts!
    expect(counts.completed).toBeGreaterThanOrEqual(4)
    expect(counts.completed + counts.failed).toBe(200)
    const output = (await (await openai.files.content(cancelled.output_file_id!)).text()).trim().split('\n')
    expect(output).toHaveLength(counts.completed)

    const quick = client()
    const finished = await waitFor(quick, (await submitChatBatch(quick, 2)).id, ['completed'])
    const before = requests
    const error = await quick.batches.cancel(finished.id).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(OpenAI.ConflictError)
    expect((error as InstanceType<typeof OpenAI.ConflictError>).headers?.get('x-should-retry')).toBe('false')
    expect(requests - before).toBe(1) // the SDK did not retry the 409
  })

  it("answers 404 for another tenant's batches and files", async () => {
    const owner = client('tenant-owner')
    const created = await submitChatBatch(owner, 2)
    const done = await waitFor(owner, created.id, ['completed'])
    const stranger = client('tenant-stranger')
    await expect(stranger.batches.retrieve(done.id)).rejects.toBeInstanceOf(OpenAI.NotFoundError)
    await expect(stranger.batches.cancel(done.id)).rejects.toBeInstanceOf(OpenAI.NotFoundError)
    await expect(stranger.files.retrieve(done.input_file_id)).rejects.toBeInstanceOf(OpenAI.NotFoundError)
    await expect(stranger.files.content(done.output_file_id!)).rejects.toBeInstanceOf(OpenAI.NotFoundError)
    await expect(stranger.files.delete(done.output_file_id!)).rejects.toBeInstanceOf(OpenAI.NotFoundError)
    expect((await stranger.batches.list()).data).toEqual([])
  })

  it('expires a batch once the injected clock passes its 24 h window', async () => {
    const openai = client('tenant-expiry', 'slow')
    const created = await submitChatBatch(openai, 100, 'e')
    let batch = await waitFor(openai, created.id, ['in_progress'])
    while ((batch.request_counts?.completed ?? 0) < 2) batch = await openai.batches.retrieve(created.id)
    clock.advance(25 * 3600 * 1000)
    const expired = await waitFor(openai, created.id, ['expired'])
    expect(expired.expired_at).not.toBeNull()
    const counts = expired.request_counts!
    expect(counts.completed + counts.failed).toBe(100)
    const errors = (await (await openai.files.content(expired.error_file_id!)).text()).trim().split('\n')
    expect(JSON.parse(errors[0]!)).toMatchObject({ response: null, error: { code: 'batch_expired' } })
  })

  it('runs lines against an OpenAI-compatible upstream with the caller key (emulated mode)', async () => {
    const openai = client('sk-upstream', 'openai')
    const created = await submitChatBatch(openai, 20, 'u')
    const done = await waitFor(openai, created.id, ['completed'])
    expect(done.request_counts).toEqual({ total: 20, completed: 20, failed: 0 })
    const output = (await (await openai.files.content(done.output_file_id!)).text()).trim().split('\n')
    expect(JSON.parse(output[0]!)).toMatchObject({
      response: { status_code: 200, body: { object: 'chat.completion' } },
    })
    expect(upstream.calls.filter((c) => c.status === 200).length).toBeGreaterThanOrEqual(20)

    const wrongKey = client('sk-wrong', 'openai')
    const rejected = await waitFor(wrongKey, (await submitChatBatch(wrongKey, 2, 'w')).id, ['completed'])
    expect(rejected.request_counts).toEqual({ total: 2, completed: 0, failed: 2 })
  })
})
