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

const post = (
  base: string,
  path: string,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<Response> =>
  fetch(`${base}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  })

const chat = { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'ping' }] }

describe('startFakeUpstream', () => {
  it('listens on loopback and answers all four endpoints in OpenAI shape', async () => {
    const { url } = await start()
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/v1$/)
    const c = await post(url, '/chat/completions', chat)
    expect(c.status).toBe(200)
    expect(c.headers.get('x-request-id')).toMatch(/^req_/)
    expect(c.headers.get('connection')).toBe('keep-alive')
    expect(await c.json()).toMatchObject({
      object: 'chat.completion',
      model: 'gpt-4o-mini',
      choices: [
        {
          index: 0,
          message: { role: 'assistant', content: 'Echo: ping', refusal: null },
          finish_reason: 'stop',
        },
      ],
      usage: {
        prompt_tokens_details: { cached_tokens: 0 },
        completion_tokens_details: { reasoning_tokens: 0 },
      },
    })
    expect(await (await post(url, '/completions', { model: 'i', prompt: 'hi' })).json()).toMatchObject({
      object: 'text_completion',
      choices: [{ text: 'Echo: hi', index: 0 }],
    })
    const embeddings = await (await post(url, '/embeddings', { model: 'e', input: ['a', 'b'] })).json()
    expect(embeddings).toMatchObject({
      object: 'list',
      model: 'e',
      data: [{ object: 'embedding', index: 0 }, { index: 1 }],
    })
    expect(embeddings.data[0].embedding).toHaveLength(8)
    expect(await (await post(url, '/responses', { model: 'r', input: 'yo' })).json()).toMatchObject({
      object: 'response',
      status: 'completed',
      output: [{ type: 'message', content: [{ type: 'output_text', text: 'Echo: yo' }] }],
      usage: { input_tokens_details: { cached_tokens: 0 }, output_tokens_details: { reasoning_tokens: 0 } },
    })
    const moderation = await (await post(url, '/moderations', { model: 'o', input: ['hi', 'kill'] })).json()
    expect(moderation).toMatchObject({
      id: expect.stringMatching(/^modr-/),
      model: 'o',
      results: [
        { flagged: false, categories: { violence: false } },
        { flagged: true, categories: { violence: true, hate: false }, category_scores: { violence: 0.97 } },
      ],
    })
  })

  it('records every call with its idempotency key and custom id', async () => {
    const fake = await start()
    await post(fake.url, '/chat/completions', chat, {
      'idempotency-key': 'batch_1-batch_req_1',
      'x-batchkit-custom-id': 'a',
    })
    await post(fake.url, '/embeddings', { model: 'e', input: 'x' })
    expect(fake.calls).toEqual([
      {
        endpoint: '/v1/chat/completions',
        customId: 'a',
        idempotencyKey: 'batch_1-batch_req_1',
        status: 200,
        at: expect.any(Number),
      },
      { endpoint: '/v1/embeddings', idempotencyKey: null, status: 200, at: expect.any(Number) },
    ])
    expect(fake.stats()).toMatchObject({
      total: 2,
      byStatus: { 200: 2 },
      keys: 1,
      succeededKeys: 1,
      duplicateSuccesses: 0,
    })
  })

  it('counts duplicate successes per key, and reset() forgets everything', async () => {
    const fake = await start()
    for (let i = 0; i < 3; i++) await post(fake.url, '/chat/completions', chat, { 'idempotency-key': 'k' })
    expect(fake.stats()).toMatchObject({ succeededKeys: 1, duplicateSuccesses: 2 })
    fake.reset()
    expect(fake.calls).toHaveLength(0)
    expect(fake.stats()).toMatchObject({ total: 0, keys: 0, duplicateSuccesses: 0 })
  })

  it('answers unknown paths 404 and bad JSON 400 in OpenAI envelopes', async () => {
    const { url } = await start()
    const missing = await post(url, '/images/generations', {})
    expect(missing.status).toBe(404)
    expect(await missing.json()).toEqual({
      error: {
        message: 'Invalid URL (POST /v1/images/generations)',
        type: 'invalid_request_error',
        param: null,
        code: null,
      },
    })
    const bad = await post(url, '/chat/completions', '{nope')
    expect(bad.status).toBe(400)
    expect((await bad.json()).error.type).toBe('invalid_request_error')
  })

  it('requires the key when asked, with OpenAI 401 bodies that mask the wrong key', async () => {
    const { url } = await start({ requireKey: 'sk-right-key-123' })
    const none = await post(url, '/chat/completions', chat)
    expect(none.status).toBe(401)
    expect((await none.json()).error.code).toBeNull()
    const wrong = await post(url, '/chat/completions', chat, { authorization: 'Bearer sk-wrong-key-98765' })
    expect(wrong.status).toBe(401)
    const body = await wrong.json()
    expect(body.error).toMatchObject({ type: 'invalid_request_error', code: 'invalid_api_key' })
    expect(body.error.message).not.toContain('sk-wrong-key-98765')
    expect(body.error.message).toContain('8765')
    const right = await post(url, '/chat/completions', chat, { authorization: 'Bearer sk-right-key-123' })
    expect(right.status).toBe(200)
  })

  it('injects faults deterministically by seed at roughly the configured rates', async () => {
    const run = async (): Promise<number[]> => {
      const fake = await start({
        seed: 4,
        failures: { status500: 0.2, status429: 0.1, insufficientQuota: 0.05 },
      })
      const statuses: number[] = []
      for (let i = 0; i < 300; i++) {
        const res = await post(fake.url, '/chat/completions', chat, { 'idempotency-key': `b-${i}` })
        statuses.push(res.status)
        await res.arrayBuffer()
      }
      await fake.close()
      upstream = undefined
      return statuses
    }
    const first = await run()
    expect(await run()).toEqual(first)
    const share = (status: number): number => first.filter((s) => s === status).length / first.length
    expect(share(500)).toBeGreaterThan(0.12)
    expect(share(500)).toBeLessThan(0.28)
    expect(share(429)).toBeGreaterThan(0.08)
    expect(share(429)).toBeLessThan(0.23)
  })

  it('lets a retried key succeed and sends retry-after on injected 429s', async () => {
    const fake = await start({ seed: 1, failures: { status429: 0.5 }, retryAfterMs: 1500 })
    let sawRetryAfter = false
    for (let i = 0; i < 20; i++) {
      for (let attempt = 0; attempt < 10; attempt++) {
        const res = await post(fake.url, '/chat/completions', chat, { 'idempotency-key': `k-${i}` })
        await res.arrayBuffer()
        if (res.status === 200) break
        expect(res.status).toBe(429)
        expect(res.headers.get('retry-after-ms')).toBe('1500')
        expect(res.headers.get('retry-after')).toBe('2')
        sawRetryAfter = true
      }
    }
    expect(sawRetryAfter).toBe(true)
    expect(fake.stats().succeededKeys).toBe(20)
    expect(fake.stats().duplicateSuccesses).toBe(0)
  })

  it('answers insufficient_quota as OpenAI does', async () => {
    const { url } = await start({ failures: { insufficientQuota: 1 } })
    const res = await post(url, '/chat/completions', chat)
    expect(res.status).toBe(429)
    expect((await res.json()).error).toMatchObject({ code: 'insufficient_quota', type: 'insufficient_quota' })
  })

  it('resets connections and holds calls that must time out', async () => {
    const fake = await start({ failures: { reset: 1 } })
    await expect(post(fake.url, '/chat/completions', chat)).rejects.toThrow()
    fake.configure({ failures: { timeout: 1 } })
    const started = Date.now()
    await expect(
      fetch(`${fake.url}/chat/completions`, {
        method: 'POST',
        body: JSON.stringify(chat),
        signal: AbortSignal.timeout(150),
      }),
    ).rejects.toThrow()
    expect(Date.now() - started).toBeGreaterThanOrEqual(140)
    expect(fake.calls.map((c) => [c.status, c.fault])).toEqual([
      [0, 'reset'],
      [0, 'timeout'],
    ])
  })

  it('closes promptly while a call is held open', async () => {
    const fake = await start({ failures: { timeout: 1 } })
    const pending = post(fake.url, '/chat/completions', chat).catch((error: unknown) => error)
    await new Promise((r) => setTimeout(r, 50))
    expect(fake.stats().inFlight).toBe(1)
    await fake.close()
    upstream = undefined
    expect(await pending).toBeInstanceOf(Error)
  })

  it('enforces RPM with OpenAI rate-limit headers and a retry-after', async () => {
    const { url } = await start({ rpm: 3, tpm: 1_000_000 })
    const statuses: number[] = []
    let last: Response | undefined
    for (let i = 0; i < 4; i++) {
      last = await post(url, '/chat/completions', chat)
      statuses.push(last.status)
      if (i === 0) {
        expect(last.headers.get('x-ratelimit-limit-requests')).toBe('3')
        expect(last.headers.get('x-ratelimit-remaining-requests')).toBe('2')
        expect(last.headers.get('x-ratelimit-reset-requests')).toMatch(/^\d+(\.\d+)?s$/)
        expect(last.headers.get('x-ratelimit-limit-tokens')).toBe('1000000')
        expect(last.headers.get('x-ratelimit-reset-tokens')).toMatch(/ms$|s$/)
      }
      await last.arrayBuffer()
    }
    expect(statuses).toEqual([200, 200, 200, 429])
    expect(last?.headers.get('x-ratelimit-remaining-requests')).toBe('0')
    expect(Number(last?.headers.get('retry-after-ms'))).toBeGreaterThan(15_000)
    expect(last?.headers.get('retry-after')).toMatch(/^\d+$/)
  })

  it('enforces TPM by body size and max tokens', async () => {
    const { url } = await start({ tpm: 200 })
    const first = await post(url, '/chat/completions', { ...chat, max_tokens: 150 })
    expect(first.status).toBe(200)
    const second = await post(url, '/chat/completions', { ...chat, max_tokens: 150 })
    expect(second.status).toBe(429)
    expect((await second.json()).error).toMatchObject({ code: 'rate_limit_exceeded', type: 'tokens' })
  })

  it('applies latency and tracks concurrency', async () => {
    const fake = await start({ latencyMs: 60 })
    const started = Date.now()
    await Promise.all(
      Array.from({ length: 5 }, () => post(fake.url, '/embeddings', { model: 'e', input: 'x' })),
    )
    expect(Date.now() - started).toBeGreaterThanOrEqual(55)
    expect(fake.stats().maxInFlight).toBe(5)
    expect(fake.stats().inFlight).toBe(0)
  })

  it('serves stats, calls and reset on control paths', async () => {
    const fake = await start()
    await post(fake.url, '/chat/completions', chat)
    const base = fake.url.replace(/\/v1$/, '')
    expect(await (await fetch(`${base}/__fake/stats`)).json()).toMatchObject({ total: 1 })
    expect(await (await fetch(`${base}/__fake/calls`)).json()).toHaveLength(1)
    expect((await fetch(`${base}/__fake/reset`, { method: 'POST' })).status).toBe(200)
    expect(fake.stats().total).toBe(0)
  })

  it('keeps only counters when record is off', async () => {
    const fake = await start({ record: false })
    await post(fake.url, '/chat/completions', chat)
    expect(fake.calls).toHaveLength(0)
    expect(fake.stats().total).toBe(1)
  })
})
