import type { ExecuteRequest } from '@batchkit/core/provider'
import { type FakeAnthropic, startFakeAnthropic } from '@batchkit/testing/fake-anthropic'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { anthropic } from './anthropic.ts'

/** An execute request for a chat body. */
function line(body: Record<string, unknown>, credential: string | null = 'sk-ant-test'): ExecuteRequest {
  return {
    endpoint: '/v1/chat/completions',
    body,
    batchId: 'batch_1',
    customId: 'r1',
    requestId: 'batch_req_1',
    attempt: 1,
    credential,
    deadline: Date.now() + 60_000,
    signal: new AbortController().signal,
  }
}

const chat = {
  model: 'claude-sonnet-4-5',
  messages: [
    { role: 'system', content: 'Be brief.' },
    { role: 'user', content: 'hello there' },
  ],
}

describe('anthropic provider against a fake Anthropic API', () => {
  let upstream: FakeAnthropic
  beforeAll(async () => {
    upstream = await startFakeAnthropic({ requireKey: 'sk-ant-test' })
  })
  afterAll(async () => upstream?.close())

  it('POSTs /v1/messages with x-api-key and anthropic-version and answers a chat.completion', async () => {
    const provider = anthropic({ baseURL: upstream.url, defaultMaxTokens: 50 })
    expect(provider.name).toBe('anthropic')
    const result = await provider.execute(line(chat))
    expect(result).toMatchObject({
      type: 'response',
      status: 200,
      body: {
        object: 'chat.completion',
        model: 'claude-sonnet-4-5',
        choices: [
          { index: 0, message: { role: 'assistant', content: 'Echo: hello there' }, finish_reason: 'stop' },
        ],
        usage: { completion_tokens: 3 },
      },
    })
    const call = upstream.calls.at(-1)!
    expect(call).toMatchObject({ path: '/v1/messages', apiKey: 'sk-ant-test', version: '2023-06-01' })
    expect(call.body).toMatchObject({ system: 'Be brief.', max_tokens: 50 })
  })

  it('answers tool calls as tool_calls', async () => {
    const tools = [{ type: 'function', function: { name: 'lookup', parameters: { type: 'object' } } }]
    const result = await anthropic({ baseURL: upstream.url }).execute(
      line({ ...chat, tools, tool_choice: 'required' }),
    )
    expect(result).toMatchObject({
      status: 200,
      body: {
        choices: [
          {
            finish_reason: 'tool_calls',
            message: {
              tool_calls: [
                { type: 'function', function: { name: 'lookup', arguments: '{"query":"hello there"}' } },
              ],
            },
          },
        ],
      },
    })
  })

  it('fails an untranslatable line for good with a 400 naming the field, without calling Anthropic', async () => {
    const before = upstream.calls.length
    const result = await anthropic({ baseURL: upstream.url }).execute(line({ ...chat, n: 3 }))
    expect(result).toMatchObject({
      type: 'response',
      status: 400,
      retryable: false,
      body: { error: { param: 'n', type: 'invalid_request_error' } },
    })
    expect(upstream.calls.length).toBe(before)
  })

  it('maps 429 with retry-after and 529 overloaded, and a wrong key to 401', async () => {
    upstream.injectFaults({ status: 429, retryAfterSeconds: 2 }, { status: 529 })
    const provider = anthropic({ baseURL: upstream.url, pacing: false })
    expect(await provider.execute(line(chat))).toMatchObject({
      status: 429,
      retryAfterMs: 2000,
      body: { error: { code: 'rate_limit_error', type: 'rate_limit_exceeded' } },
    })
    expect(await provider.execute(line(chat))).toMatchObject({
      status: 529,
      body: { error: { code: 'overloaded_error' } },
    })
    expect(await provider.execute(line(chat, 'sk-wrong'))).toMatchObject({
      status: 401,
      body: { error: { code: 'authentication_error' } },
    })
  })

  it('holds the next line of a key until a 429 retry-after passed, and hands it back when that is too long', async () => {
    upstream.injectFaults({ status: 429, retryAfterSeconds: 60 })
    const provider = anthropic({ baseURL: upstream.url, pacing: { maxWaitMs: 1_000 } })
    expect(await provider.execute(line(chat))).toMatchObject({ status: 429 })
    const before = upstream.calls.length
    const held = await provider.execute(line(chat))
    expect(held).toMatchObject({ type: 'error', code: 'request_failed', sent: false, retryable: true })
    expect(upstream.calls.length).toBe(before)
    // Another key is not held.
    const other = await anthropic({ baseURL: upstream.url }).execute(line(chat))
    expect(other).toMatchObject({ status: 200 })
  })

  it('reports an unreachable upstream as request_failed without the key', async () => {
    const result = await anthropic({ baseURL: 'http://127.0.0.1:9' }).execute(line(chat, 'sk-secret-key'))
    expect(result).toMatchObject({ type: 'error', code: 'request_failed' })
    expect(JSON.stringify(result)).not.toContain('sk-secret-key')
  })
})
