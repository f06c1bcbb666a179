import { randomHex } from '@batchkit/core/store'
import { anthropic } from '@batchkit/provider-anthropic'
import { testDatabaseUrl } from '@batchkit/store-postgres/testing'
import { type FakeAnthropic, startFakeAnthropic } from '@batchkit/testing/fake-anthropic'
import OpenAI, { toFile } from 'openai'
import postgres from 'postgres'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { readConfig } from './config.ts'
import { type ReferenceServer, startReferenceServer } from './server.ts'

/** Chat lines for Anthropic: plain ones, one with tools, one Anthropic cannot express (`n: 2`). */
function anthropicJsonl(): string {
  const line = (customId: string, body: Record<string, unknown>) =>
    JSON.stringify({ custom_id: customId, method: 'POST', url: '/v1/chat/completions', body })
  const model = 'claude-sonnet-4-5'
  const lines = Array.from({ length: 8 }, (_, i) =>
    line(`plain-${i + 1}`, {
      model,
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: `hello ${i + 1}` },
      ],
      max_tokens: 64,
    }),
  )
  lines.push(
    line('tools', {
      model,
      messages: [{ role: 'user', content: 'weather in Paris?' }],
      tools: [{ type: 'function', function: { name: 'weather', parameters: { type: 'object' } } }],
    }),
  )
  lines.push(line('two-choices', { model, messages: [{ role: 'user', content: 'hi' }], n: 2 }))
  return lines.join('\n')
}

const stores = [
  { kind: 'memory', env: {} as Record<string, string> },
  {
    kind: 'postgres',
    env: {
      DATABASE_URL: testDatabaseUrl(),
      BATCHKIT_DB_SCHEMA: `t_anthropic_${randomHex(6)}`,
      BATCHKIT_SECRET: 'anthropic-e2e-secret-0000',
    },
  },
]

describe.each(stores)('OpenAI-format batches on Anthropic, $kind store', ({ env }) => {
  let server: ReferenceServer
  let upstream: FakeAnthropic

  beforeAll(async () => {
    upstream = await startFakeAnthropic({
      requireKey: 'sk-ant-e2e',
      faults: [
        { status: 429, retryAfterSeconds: 1 },
        { status: 529, retryAfterSeconds: 1 },
      ],
    })
    server = await startReferenceServer({
      config: { ...readConfig(env), port: 0 },
      providers: [
        anthropic({ baseURL: upstream.url, concurrency: 4 }),
        anthropic({
          name: 'anthropic-batch',
          baseURL: upstream.url,
          mode: 'native',
          native: { pollIntervalMs: { initial: 50, max: 200 } },
        }),
      ],
    })
  })
  afterAll(async () => {
    await server?.close()
    await upstream?.close()
    if (env.BATCHKIT_DB_SCHEMA) {
      const admin = postgres(testDatabaseUrl(), { max: 1, onnotice: () => undefined })
      await admin.unsafe(`DROP SCHEMA IF EXISTS "${env.BATCHKIT_DB_SCHEMA}" CASCADE`)
      await admin.end()
    }
  })

  /** Uploads `text`, creates a batch on `provider` and waits for it to end. */
  async function runBatch(provider: string, text: string) {
    const openai = new OpenAI({
      baseURL: server.url,
      apiKey: 'sk-ant-e2e',
      defaultHeaders: { 'x-provider': provider },
    })
    const file = await openai.files.create({
      file: await toFile(Buffer.from(text), 'claude.jsonl'),
      purpose: 'batch',
    })
    const created = await openai.batches.create({
      input_file_id: file.id,
      endpoint: '/v1/chat/completions',
      completion_window: '24h',
    })
    let batch = created
    const started = Date.now()
    while (!['completed', 'failed', 'expired', 'cancelled'].includes(batch.status)) {
      if (Date.now() - started > 30_000) throw new Error(`batch stuck in ${batch.status}`)
      await new Promise((resolve) => setTimeout(resolve, 50))
      batch = await openai.batches.retrieve(created.id)
    }
    const read = async (id: string | null | undefined) =>
      id
        ? (await (await openai.files.content(id)).text())
            .trim()
            .split('\n')
            .map((l) => JSON.parse(l))
        : []
    return { batch, output: await read(batch.output_file_id), errors: await read(batch.error_file_id) }
  }

  it('runs a file on the Message Batches API (native), custom ids restored; an untranslatable line fails validation naming its line', async () => {
    const lines = anthropicJsonl().split('\n').slice(0, 9)
    lines.push(
      JSON.stringify({
        custom_id: 'id with spaces',
        method: 'POST',
        url: '/v1/chat/completions',
        body: { model: 'claude-sonnet-4-5', messages: [{ role: 'user', content: 'spaced' }] },
      }),
    )
    const { batch, output, errors } = await runBatch('anthropic-batch', lines.join('\n'))
    expect(batch.status).toBe('completed')
    expect(batch.request_counts).toEqual({ total: 10, completed: 10, failed: 0 })
    expect(errors).toEqual([])
    const spaced = output.find((l) => l.custom_id === 'id with spaces')
    expect(spaced.response.body.choices[0].message.content).toBe('Echo: spaced')
    expect(output.find((l) => l.custom_id === 'tools').response.body.choices[0].finish_reason).toBe(
      'tool_calls',
    )
    expect(
      upstream.batches
        .list()
        .at(-1)
        ?.requests.map((r) => r.custom_id),
    ).toContain('bk-10')

    const failed = await runBatch('anthropic-batch', anthropicJsonl())
    expect(failed.batch.status).toBe('failed')
    expect(failed.batch.errors?.data?.[0]).toMatchObject({
      code: 'invalid_request',
      line: 10,
      param: 'body.n',
    })
    expect(failed.batch.errors?.data?.[0]?.message).toMatch(/`n` must be 1/)
  })

  it('runs the file through the openai SDK (emulated): an untranslatable line fails validation with its line number; the rest gives chat.completion outputs', async () => {
    const messages = () => upstream.calls.filter((c) => c.path === '/v1/messages').length
    const before = messages()
    const invalid = await runBatch('anthropic', anthropicJsonl())
    expect(invalid.batch.status).toBe('failed')
    expect(invalid.batch.errors?.data?.[0]).toMatchObject({
      code: 'invalid_request',
      line: 10,
      param: 'body.n',
    })
    expect(invalid.batch.errors?.data?.[0]?.message).toMatch(/`n` must be 1/)
    expect(messages()).toBe(before)

    const openai = new OpenAI({
      baseURL: server.url,
      apiKey: 'sk-ant-e2e',
      defaultHeaders: { 'x-provider': 'anthropic' },
    })
    const { batch } = await runBatch('anthropic', anthropicJsonl().split('\n').slice(0, 9).join('\n'))
    expect(batch.status).toBe('completed')
    expect(batch.request_counts).toEqual({ total: 9, completed: 9, failed: 0 })

    const output = (await (await openai.files.content(batch.output_file_id!)).text())
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l))
    expect(output).toHaveLength(9)
    expect(new Set(output.map((l) => l.custom_id)).size).toBe(9)
    for (const line of output) {
      expect(line.response.status_code).toBe(200)
      expect(line.response.body).toMatchObject({ object: 'chat.completion', model: 'claude-sonnet-4-5' })
    }
    const plain = output.find((l) => l.custom_id === 'plain-3')
    expect(plain.response.body.choices[0]).toMatchObject({
      message: { role: 'assistant', content: 'Echo: hello 3' },
      finish_reason: 'stop',
    })
    expect(plain.response.body.usage.total_tokens).toBe(
      plain.response.body.usage.prompt_tokens + plain.response.body.usage.completion_tokens,
    )
    const tools = output.find((l) => l.custom_id === 'tools')
    expect(tools.response.body.choices[0]).toMatchObject({
      finish_reason: 'tool_calls',
      message: { tool_calls: [{ type: 'function', function: { name: 'weather' } }] },
    })

    // Both injected faults were retried.
    const messageCalls = upstream.calls.filter((c) => c.path === '/v1/messages')
    expect(messageCalls.filter((c) => c.status === 429 || c.status === 529)).toHaveLength(2)
    expect(messageCalls.filter((c) => c.status === 200)).toHaveLength(9)
    expect(upstream.calls.every((c) => c.apiKey === 'sk-ant-e2e' && c.version === '2023-06-01')).toBe(true)
  })
})
