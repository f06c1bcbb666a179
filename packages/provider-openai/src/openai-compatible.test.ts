import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { ExecuteRequest, ExecuteResult } from '@batchkit/core/provider'
import {
  type FakeUpstream,
  type FakeUpstreamOptions,
  startFakeUpstream,
} from '@batchkit/testing/fake-upstream'
import { afterEach, describe, expect, it } from 'vitest'
import { openaiCompatible } from './openai-compatible.ts'

const KEY = 'sk-test-secret-key-0123456789'

let upstream: FakeUpstream | undefined
const start = async (options: FakeUpstreamOptions = {}): Promise<FakeUpstream> => {
  upstream = await startFakeUpstream({ requireKey: KEY, ...options })
  return upstream
}
afterEach(async () => {
  await upstream?.close()
  upstream = undefined
})

const request = (over: Partial<ExecuteRequest> = {}): ExecuteRequest => ({
  endpoint: '/v1/chat/completions',
  body: { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Hello' }] },
  batchId: 'batch_abc',
  customId: 'line-1',
  requestId: 'batch_req_1',
  attempt: 1,
  credential: KEY,
  deadline: Date.now() + 86_400_000,
  signal: new AbortController().signal,
  ...over,
})

const noSecret = (result: ExecuteResult, secret = KEY): void => {
  expect(JSON.stringify(result)).not.toContain(secret)
}

describe('openaiCompatible', () => {
  it('describes itself', () => {
    expect(openaiCompatible({ concurrency: 8, maxAttempts: 3 })).toMatchObject({
      name: 'openai',
      credential: 'required',
      mode: 'emulated',
      concurrency: 8,
      maxAttempts: 3,
    })
    expect(openaiCompatible({ apiKey: 'k' }).credential).toBe('optional')
    expect(openaiCompatible({ name: 'vllm', credential: 'none' })).toMatchObject({
      name: 'vllm',
      credential: 'none',
    })
  })

  it('posts the line and returns the parsed 200 response with its request id', async () => {
    const fake = await start()
    const result = await openaiCompatible({ baseURL: fake.url }).execute(request())
    expect(result).toMatchObject({
      type: 'response',
      status: 200,
      requestId: expect.stringMatching(/^req_/),
      body: {
        object: 'chat.completion',
        model: 'gpt-4o-mini',
        choices: [{ message: { content: 'Echo: Hello' } }],
      },
    })
    expect(fake.calls).toEqual([
      {
        endpoint: '/v1/chat/completions',
        idempotencyKey: 'batch_abc-batch_req_1',
        status: 200,
        at: expect.any(Number),
      },
    ])
  })

  it('hands back the JSON text of the answer with its parsed body', async () => {
    const fake = await start()
    const result = await openaiCompatible({ baseURL: fake.url }).execute(request())
    if (result.type !== 'response') throw new Error('expected a response')
    expect(typeof result.bodyText).toBe('string')
    expect(JSON.parse(result.bodyText ?? '')).toEqual(result.body)
  })

  it('follows an upstream that redirects line calls, on the first call and after', async () => {
    // No key required: fetch drops Authorization on a redirect to another origin (here, another port).
    const fake = await startFakeUpstream()
    upstream = fake
    // A front that permanently redirects /old/v1/… to the fake upstream (method and body kept).
    const front = createServer((req, res) => {
      req.resume()
      res.writeHead(308, { location: `${fake.url}${(req.url ?? '').replace(/^\/old\/v1/, '')}` }).end()
    })
    await new Promise<void>((resolve) => front.listen(0, '127.0.0.1', resolve))
    try {
      const { port } = front.address() as AddressInfo
      const provider = openaiCompatible({ baseURL: `http://127.0.0.1:${port}/old/v1` })
      for (const requestId of ['batch_req_1', 'batch_req_2']) {
        expect(await provider.execute(request({ requestId }))).toMatchObject({
          type: 'response',
          status: 200,
          body: { choices: [{ message: { content: 'Echo: Hello' } }] },
        })
      }
      expect(fake.calls.map((c) => c.idempotencyKey)).toEqual([
        'batch_abc-batch_req_1',
        'batch_abc-batch_req_2',
      ])
    } finally {
      await new Promise((resolve) => front.close(resolve))
    }
  })

  it('maps every endpoint under the base URL', async () => {
    const fake = await start()
    const provider = openaiCompatible({ baseURL: `${fake.url}/` })
    const bodies: [ExecuteRequest['endpoint'], Record<string, unknown>][] = [
      ['/v1/completions', { model: 'm', prompt: 'x' }],
      ['/v1/embeddings', { model: 'm', input: 'x' }],
      ['/v1/responses', { model: 'm', input: 'x' }],
    ]
    for (const [endpoint, body] of bodies) {
      expect(await provider.execute(request({ endpoint, body }))).toMatchObject({ status: 200 })
    }
    expect(fake.calls.map((c) => c.endpoint)).toEqual(['/v1/completions', '/v1/embeddings', '/v1/responses'])
  })

  it('returns a 500 as a response with the upstream body (retry left to the runner)', async () => {
    const fake = await start({ failures: { status500: 1 } })
    const result = await openaiCompatible({ baseURL: fake.url }).execute(request())
    expect(result).toMatchObject({ type: 'response', status: 500, body: { error: { type: 'server_error' } } })
    expect(result).not.toHaveProperty('retryable')
  })

  it('reads retry-after-ms before retry-after on a 429', async () => {
    const fake = await start({ failures: { status429: 1 }, retryAfterMs: 1500 })
    const result = await openaiCompatible({ baseURL: fake.url }).execute(request())
    expect(result).toMatchObject({
      type: 'response',
      status: 429,
      retryAfterMs: 1500,
      body: { error: { code: 'rate_limit_exceeded' } },
    })
    expect(result).not.toHaveProperty('retryable')
  })

  it('returns the bucket wait of a rate-limited 429 (pacing off)', async () => {
    const fake = await start({ rpm: 1 })
    const provider = openaiCompatible({ baseURL: fake.url, pacing: false })
    expect(await provider.execute(request())).toMatchObject({ status: 200 })
    const limited = await provider.execute(request({ requestId: 'batch_req_2' }))
    expect(limited).toMatchObject({ type: 'response', status: 429 })
    if (limited.type !== 'response') return
    expect(limited.retryAfterMs).toBeGreaterThan(50_000)
    expect(limited.retryAfterMs).toBeLessThanOrEqual(60_000)
  })

  it('paces instead: a call the learned limit cannot admit soon goes back to the runner unsent', async () => {
    const fake = await start({ rpm: 1 })
    const provider = openaiCompatible({ baseURL: fake.url })
    expect(await provider.execute(request())).toMatchObject({ status: 200 })
    const deferred = await provider.execute(request({ requestId: 'batch_req_2' }))
    expect(deferred).toMatchObject({ type: 'error', code: 'request_failed', retryable: true, sent: false })
    expect(deferred.retryAfterMs).toBeGreaterThan(50_000)
    expect(deferred.retryAfterMs).toBeLessThanOrEqual(60_000)
    expect(fake.stats().total).toBe(1)
  })

  it('marks insufficient_quota as not retryable', async () => {
    const fake = await start({ failures: { insufficientQuota: 1 } })
    expect(await openaiCompatible({ baseURL: fake.url }).execute(request())).toMatchObject({
      type: 'response',
      status: 429,
      retryable: false,
      body: { error: { code: 'insufficient_quota' } },
    })
  })

  it('times out a call that gets no answer', async () => {
    const fake = await start({ failures: { timeout: 1 } })
    const started = Date.now()
    const result = await openaiCompatible({ baseURL: fake.url, timeoutMs: 100 }).execute(request())
    expect(result).toMatchObject({ type: 'error', code: 'request_timeout' })
    expect(Date.now() - started).toBeLessThan(2000)
    noSecret(result)
  })

  it("reports a timeout of the caller's signal as request_timeout and other aborts as request_failed", async () => {
    const fake = await start({ failures: { timeout: 1 } })
    const provider = openaiCompatible({ baseURL: fake.url })
    expect(await provider.execute(request({ signal: AbortSignal.timeout(50) }))).toMatchObject({
      type: 'error',
      code: 'request_timeout',
    })
    const controller = new AbortController()
    const pending = provider.execute(request({ signal: controller.signal }))
    setTimeout(() => controller.abort(), 30)
    expect(await pending).toMatchObject({
      type: 'error',
      code: 'request_failed',
      message: 'The call was aborted.',
    })
    controller.abort()
    expect(await provider.execute(request({ signal: controller.signal }))).toMatchObject({
      code: 'request_failed',
    })
  })

  it('reports a connection reset as request_failed, without the key', async () => {
    const fake = await start({ failures: { reset: 1 } })
    const result = await openaiCompatible({ baseURL: fake.url }).execute(request())
    expect(result).toMatchObject({ type: 'error', code: 'request_failed' })
    expect(result.type === 'error' && result.message).toMatch(
      /^Request to 127\.0\.0\.1:\d+ failed: fetch failed/,
    )
    expect(result).not.toHaveProperty('retryable')
    noSecret(result)
  })

  it('reports a refused connection as request_failed', async () => {
    const fake = await start()
    const url = fake.url
    await fake.close()
    upstream = undefined
    const result = await openaiCompatible({ baseURL: url }).execute(request())
    expect(result).toMatchObject({ type: 'error', code: 'request_failed' })
    expect(result.type === 'error' && result.message).toContain('ECONNREFUSED')
  })

  it('passes a 401 through as a response, never echoing the key', async () => {
    const fake = await start()
    const wrong = 'sk-wrong-secret-key-987654321'
    const result = await openaiCompatible({ baseURL: fake.url }).execute(request({ credential: wrong }))
    expect(result).toMatchObject({
      type: 'response',
      status: 401,
      body: { error: { code: 'invalid_api_key' } },
    })
    noSecret(result, wrong)
    const missing = await openaiCompatible({ baseURL: fake.url }).execute(request({ credential: null }))
    expect(missing).toMatchObject({ type: 'response', status: 401 })
  })

  it('uses the host apiKey when the line carries no credential', async () => {
    const fake = await start()
    const result = await openaiCompatible({ baseURL: fake.url, apiKey: KEY }).execute(
      request({ credential: null }),
    )
    expect(result).toMatchObject({ type: 'response', status: 200 })
  })

  it('never leaks a key that is not a valid header value', async () => {
    const fake = await start()
    const bad = 'sk-evil\nInjected: header-value-secret'
    const result = await openaiCompatible({ baseURL: fake.url }).execute(request({ credential: bad }))
    expect(result).toMatchObject({ type: 'error', code: 'request_failed', retryable: false })
    noSecret(result, bad)
    expect(JSON.stringify(result)).not.toContain('header-value-secret')
    expect(fake.calls).toHaveLength(0)
  })

  it('redacts the key from thrown fetch errors and never throws', async () => {
    const leaky: typeof fetch = async (_url, init) => {
      const auth = new Headers(init?.headers).get('authorization')
      throw new TypeError(`fetch failed for ${auth}`, {
        cause: { code: 'ECONNRESET', message: `socket ${auth}` },
      })
    }
    const result = await openaiCompatible({
      fetch: leaky,
      headers: { 'OpenAI-Organization': 'org-secret-123' },
    }).execute(request())
    expect(result).toMatchObject({ type: 'error', code: 'request_failed' })
    expect(result.type === 'error' && result.message).toContain('[redacted]')
    expect(result.type === 'error' && result.message).toContain('ECONNRESET')
    noSecret(result)
    const throwing: typeof fetch = () => {
      throw new Error('sync boom')
    }
    expect(await openaiCompatible({ fetch: throwing }).execute(request())).toMatchObject({
      code: 'request_failed',
    })
  })

  it('sends custom headers and a custom auth header', async () => {
    let seen: Headers | undefined
    const spy: typeof fetch = async (_url, init) => {
      seen = new Headers(init?.headers)
      return new Response('{}', { status: 200 })
    }
    await openaiCompatible({
      baseURL: 'https://example.openai.azure.com/openai/v1',
      fetch: spy,
      headers: { 'x-extra': '1' },
      authHeader: (key) => ({ 'api-key': key }),
    }).execute(request())
    expect(seen?.get('api-key')).toBe(KEY)
    expect(seen?.get('authorization')).toBeNull()
    expect(seen?.get('x-extra')).toBe('1')
    expect(seen?.get('idempotency-key')).toBe('batch_abc-batch_req_1')
    expect(seen?.get('content-type')).toBe('application/json')
  })

  it('returns plain-text bodies as text', async () => {
    const text: typeof fetch = async () => new Response('Bad Gateway', { status: 502 })
    expect(await openaiCompatible({ fetch: text }).execute(request())).toEqual({
      type: 'response',
      status: 502,
      body: 'Bad Gateway',
    })
  })

  it('reuses keep-alive connections across calls', async () => {
    const fake = await start()
    const provider = openaiCompatible({ baseURL: fake.url })
    const results = await Promise.all(
      Array.from({ length: 50 }, (_, i) => provider.execute(request({ requestId: `batch_req_${i}` }))),
    )
    expect(results.every((r) => r.type === 'response' && r.status === 200)).toBe(true)
    expect(fake.stats()).toMatchObject({ succeededKeys: 50, duplicateSuccesses: 0 })
  })
})
