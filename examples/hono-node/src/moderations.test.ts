import { offsetClock } from '@batchkit/core'
import { mockProvider } from '@batchkit/provider-mock'
import { openaiCompatible } from '@batchkit/provider-openai'
import { type FakeUpstream, startFakeUpstream } from '@batchkit/testing/fake-upstream'
import OpenAI, { toFile } from 'openai'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { readConfig } from './config.ts'
import { type ReferenceServer, startReferenceServer } from './server.ts'

type Batch = Awaited<ReturnType<OpenAI['batches']['retrieve']>>

/** A moderations JSONL: one clean line, one flagged line, one multimodal line. */
const moderationsJsonl = (): string =>
  [
    { custom_id: 'clean', input: 'Have a nice day' },
    { custom_id: 'flagged', input: ['hello', 'I will kill you'] },
    {
      custom_id: 'parts',
      input: [
        { type: 'text', text: 'a picture' },
        { type: 'image_url', image_url: { url: 'https://example.com/a.png' } },
      ],
    },
  ]
    .map(({ custom_id, input }) =>
      JSON.stringify({
        custom_id,
        method: 'POST',
        url: '/v1/moderations',
        body: { model: 'omni-moderation-latest', input },
      }),
    )
    .join('\n')

/**
 * `/v1/moderations` batches and `output_expires_after`, end to end: the official openai SDK against
 * the reference server over loopback, on the mock provider and on a fake OpenAI upstream (emulated
 * and native).
 */
describe('moderations batches and output_expires_after, driven by the openai SDK', () => {
  const clock = offsetClock()
  let server: ReferenceServer
  let upstream: FakeUpstream

  const client = (provider: string) =>
    new OpenAI({ baseURL: server.url, apiKey: 'sk-upstream', defaultHeaders: { 'x-provider': provider } })

  async function waitFor(openai: OpenAI, id: string, timeoutMs = 20_000): Promise<Batch> {
    const started = Date.now()
    for (;;) {
      const batch = await openai.batches.retrieve(id)
      if (['completed', 'failed', 'expired', 'cancelled'].includes(batch.status)) return batch
      if (Date.now() - started > timeoutMs)
        throw new Error(`batch ${id} stuck in ${batch.status} ${JSON.stringify(batch)}`)
      await new Promise((r) => setTimeout(r, 25))
    }
  }

  async function runModerations(openai: OpenAI, extra: Partial<OpenAI.BatchCreateParams> = {}) {
    const file = await openai.files.create({
      file: await toFile(Buffer.from(moderationsJsonl()), 'moderations.jsonl'),
      purpose: 'batch',
    })
    const created = await openai.batches.create({
      input_file_id: file.id,
      endpoint: '/v1/moderations',
      completion_window: '24h',
      ...extra,
    })
    expect(created.endpoint).toBe('/v1/moderations')
    const done = await waitFor(openai, created.id)
    expect(done.status).toBe('completed')
    expect(done.request_counts).toEqual({ total: 3, completed: 3, failed: 0 })
    const text = await (await openai.files.content(done.output_file_id!)).text()
    const lines = text
      .trim()
      .split('\n')
      .map(
        (l) =>
          JSON.parse(l) as {
            custom_id: string
            response: { status_code: number; body: OpenAI.ModerationCreateResponse }
          },
      )
    const byId = new Map(lines.map((l) => [l.custom_id, l.response]))
    return { done, byId }
  }

  beforeAll(async () => {
    upstream = await startFakeUpstream({ requireKey: 'sk-upstream', native: { linesPerSecond: 1000 } })
    server = await startReferenceServer({
      config: { ...readConfig({}), port: 0 },
      clock,
      providers: [
        mockProvider({ name: 'mock', latencyMs: 1 }),
        openaiCompatible({ baseURL: upstream.url, apiKey: 'sk-upstream' }),
        openaiCompatible({
          name: 'openai-native',
          baseURL: upstream.url,
          apiKey: 'sk-upstream',
          mode: 'native',
          native: { pollIntervalMs: { initial: 50, max: 200 } },
        }),
      ],
    })
  })
  afterAll(async () => {
    await server?.close()
    await upstream?.close()
  })

  it('runs a moderations batch on the mock provider', async () => {
    const { byId } = await runModerations(client('mock'))
    const clean = byId.get('clean')!
    expect(clean.status_code).toBe(200)
    expect(clean.body.id).toMatch(/^modr-/)
    expect(clean.body.model).toBe('omni-moderation-latest')
    expect(clean.body.results).toHaveLength(1)
    expect(clean.body.results[0]?.flagged).toBe(false)
    const flagged = byId.get('flagged')!.body.results
    expect(flagged.map((r) => r.flagged)).toEqual([false, true])
    expect(flagged[1]?.categories.violence).toBe(true)
    expect(flagged[1]?.category_scores.violence).toBeGreaterThan(0.9)
    expect(Object.keys(flagged[1]?.categories ?? {})).toContain('self-harm/instructions')
    const parts = byId.get('parts')!.body.results
    expect(parts).toHaveLength(1)
    expect(parts[0]?.category_applied_input_types.violence).toEqual(['text', 'image'])
  })

  it('runs a moderations batch on a fake OpenAI upstream, emulated and native', async () => {
    for (const provider of ['openai', 'openai-native']) {
      const { byId } = await runModerations(client(provider))
      expect(byId.get('clean')?.body.results[0]?.flagged).toBe(false)
      expect(byId.get('flagged')?.body.results.map((r) => r.flagged)).toEqual([false, true])
      expect(byId.get('flagged')?.body.results[1]?.categories.violence).toBe(true)
    }
  })

  it('honours output_expires_after: the output file expires at its created_at + seconds, then is gone', async () => {
    const openai = client('mock')
    const { done } = await runModerations(openai, {
      output_expires_after: { anchor: 'created_at', seconds: 3600 },
    })
    const output = await openai.files.retrieve(done.output_file_id!)
    expect(output.purpose).toBe('batch_output')
    expect(output.expires_at).toBe(output.created_at + 3600)
    clock.advance(3601_000)
    await expect(openai.files.retrieve(output.id)).rejects.toBeInstanceOf(OpenAI.NotFoundError)
    await expect(openai.files.content(output.id)).rejects.toBeInstanceOf(OpenAI.NotFoundError)
    const listed = await openai.files.list({ purpose: 'batch_output' })
    expect(listed.data.map((f) => f.id)).not.toContain(output.id)
  })

  it('rejects an invalid output_expires_after or endpoint with the param named', async () => {
    const openai = client('mock')
    const file = await openai.files.create({
      file: await toFile(Buffer.from(moderationsJsonl()), 'moderations.jsonl'),
      purpose: 'batch',
    })
    const base = { input_file_id: file.id, endpoint: '/v1/moderations', completion_window: '24h' } as const
    const cases: [Record<string, unknown>, string][] = [
      [{ seconds: 60, anchor: 'created_at' }, 'output_expires_after.seconds'],
      [{ seconds: 2_592_001, anchor: 'created_at' }, 'output_expires_after.seconds'],
      [{ seconds: 3600, anchor: 'now' }, 'output_expires_after.anchor'],
    ]
    for (const [value, param] of cases) {
      const error = await openai.batches
        .create({ ...base, output_expires_after: value as never })
        .catch((e: unknown) => e)
      expect(error).toBeInstanceOf(OpenAI.BadRequestError)
      expect(error).toMatchObject({ status: 400, param, type: 'invalid_request_error' })
    }
    const endpoint = await openai.batches
      .create({ ...base, endpoint: '/v1/foo' as never })
      .catch((e: unknown) => e)
    expect(endpoint).toMatchObject({ status: 400, param: 'endpoint', code: 'invalid_value' })
    expect((endpoint as Error).message).toContain("'/v1/moderations'")
  })
})
