import type { ExecuteRequest, ExecuteResult } from '@batchkit/core/provider'
import { describe, expect, it } from 'vitest'
import { mockProvider } from './mock-provider.ts'
import type { ChatCompletion } from './simulate/index.ts'

const request = (over: Partial<ExecuteRequest> = {}): ExecuteRequest => ({
  endpoint: '/v1/chat/completions',
  body: { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Hello there' }] },
  batchId: 'batch_1',
  customId: 'line-1',
  requestId: 'batch_req_1',
  attempt: 1,
  credential: null,
  deadline: Date.now() + 86_400_000,
  signal: new AbortController().signal,
  ...over,
})

const statusOf = (result: ExecuteResult): number | string =>
  result.type === 'response' ? result.status : result.code

describe('mockProvider', () => {
  it('describes itself as a key-less emulated provider', () => {
    const provider = mockProvider({ concurrency: 4 })
    expect(provider).toMatchObject({ name: 'mock', credential: 'none', mode: 'emulated', concurrency: 4 })
    expect(mockProvider({ name: 'sim' }).name).toBe('sim')
  })

  it('answers a chat line with a chat.completion echoing the model', async () => {
    const result = await mockProvider({ now: () => 0 }).execute(request())
    expect(result).toMatchObject({ type: 'response', status: 200 })
    if (result.type !== 'response') return
    expect(result.requestId).toMatch(/^req_/)
    const body = result.body as ChatCompletion
    expect(JSON.parse(result.bodyText ?? '')).toEqual(body)
    expect(body.model).toBe('gpt-4o-mini')
    expect(body.choices[0]?.message.content).toContain('Hello there')
  })

  it('answers every batch endpoint', async () => {
    const provider = mockProvider()
    const bodies = {
      '/v1/chat/completions': { model: 'a', messages: [{ role: 'user', content: 'x' }] },
      '/v1/completions': { model: 'b', prompt: 'x' },
      '/v1/embeddings': { model: 'c', input: 'x' },
      '/v1/responses': { model: 'd', input: 'x' },
    } as const
    for (const [endpoint, body] of Object.entries(bodies)) {
      const result = await provider.execute(
        request({ endpoint: endpoint as ExecuteRequest['endpoint'], body }),
      )
      expect(result).toMatchObject({ type: 'response', status: 200, body: { model: body.model } })
    }
  })

  it('is deterministic across providers with the same options', async () => {
    const options = { seed: 3, failureRate: 0.3, rateLimitRate: 0.2, now: () => 1000 }
    const a = mockProvider(options)
    const b = mockProvider(options)
    for (let i = 0; i < 50; i++) {
      const req = request({ requestId: `batch_req_${i}` })
      expect(await a.execute(req)).toEqual(await b.execute(req))
    }
  })

  it('injects 500s, 429s and 400s at roughly the configured rates', async () => {
    const provider = mockProvider({ seed: 11, failureRate: 0.1, rateLimitRate: 0.2, errorRate: 0.05 })
    const counts: Record<string, number> = {}
    const n = 4000
    for (let i = 0; i < n; i++) {
      const status = statusOf(await provider.execute(request({ requestId: `batch_req_${i}` })))
      counts[status] = (counts[status] ?? 0) + 1
    }
    const share = (status: number): number => (counts[status] ?? 0) / n
    expect(share(400)).toBeCloseTo(0.05, 1)
    expect(share(429)).toBeGreaterThan(0.95 * 0.2 - 0.03)
    expect(share(429)).toBeLessThan(0.95 * 0.2 + 0.03)
    expect(share(500)).toBeGreaterThan(0.95 * 0.1 - 0.03)
    expect(share(500)).toBeLessThan(0.95 * 0.1 + 0.03)
    expect(share(200)).toBeGreaterThan(0.6)
  })

  it('gives 429s a retry-after and OpenAI error bodies', async () => {
    const provider = mockProvider({ rateLimitRate: 1, retryAfterMs: 50 })
    expect(await provider.execute(request())).toMatchObject({
      type: 'response',
      status: 429,
      retryAfterMs: 50,
      body: { error: { code: 'rate_limit_exceeded', type: 'requests', param: null } },
    })
    expect(await mockProvider({ failureRate: 1 }).execute(request())).toMatchObject({
      status: 500,
      body: { error: { type: 'server_error' } },
    })
  })

  it('lets a retried line succeed after a transient failure', async () => {
    const provider = mockProvider({ seed: 5, failureRate: 0.5 })
    let recovered = 0
    for (let i = 0; i < 100; i++) {
      const requestId = `batch_req_${i}`
      const results: (number | string)[] = []
      for (let attempt = 1; attempt <= 8; attempt++) {
        results.push(statusOf(await provider.execute(request({ requestId, attempt }))))
      }
      if (results[0] === 500 && results.includes(200)) recovered++
    }
    expect(recovered).toBeGreaterThan(20)
  })

  it('fails a line with errorRate on every attempt (final 400)', async () => {
    const provider = mockProvider({ seed: 9, errorRate: 0.5 })
    for (let i = 0; i < 40; i++) {
      const requestId = `batch_req_${i}`
      const first = statusOf(await provider.execute(request({ requestId, attempt: 1 })))
      const later = statusOf(await provider.execute(request({ requestId, attempt: 4 })))
      expect(later).toBe(first)
    }
  })

  it('waits its latency through the injected sleep, deterministically', async () => {
    const waits: number[] = []
    const sleep = async (ms: number): Promise<void> => {
      waits.push(ms)
    }
    const provider = mockProvider({ seed: 1, latencyMs: { min: 10, max: 20 }, sleep })
    await provider.execute(request({ requestId: 'a' }))
    await provider.execute(request({ requestId: 'b' }))
    await provider.execute(request({ requestId: 'a' }))
    expect(waits).toHaveLength(3)
    expect(waits[0]).toBe(waits[2])
    for (const ms of waits) expect(ms).toBeGreaterThanOrEqual(10)
    for (const ms of waits) expect(ms).toBeLessThanOrEqual(20)
  })

  it('uses a real timer by default and stops when the signal aborts', async () => {
    const provider = mockProvider({ latencyMs: 10_000 })
    const controller = new AbortController()
    const started = Date.now()
    const pending = provider.execute(request({ signal: controller.signal }))
    setTimeout(() => controller.abort(), 20)
    expect(await pending).toMatchObject({ type: 'error', code: 'request_failed' })
    expect(Date.now() - started).toBeLessThan(2000)
    const timedOut = await mockProvider({ latencyMs: 10_000 }).execute(
      request({ signal: AbortSignal.timeout(10) }),
    )
    expect(timedOut).toMatchObject({ type: 'error', code: 'request_timeout' })
  })

  it('never throws, even when the injected sleep does', async () => {
    const provider = mockProvider({
      latencyMs: 5,
      sleep: () => Promise.reject(new Error('boom')),
      now: () => {
        throw new Error('clock broke')
      },
    })
    expect(await provider.execute(request())).toMatchObject({ type: 'error', code: 'request_failed' })
  })
})
