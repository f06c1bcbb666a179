import type { ExecuteRequest, ExecuteResult, Provider } from '@batchkit/core'
import { abortedResult } from './abort.ts'
import { openaiError } from './errors.ts'
import { type FaultRates, rollFault } from './faults.ts'
import { pickLatency } from './latency.ts'
import type { MockProviderOptions } from './options.ts'
import { mockId } from './simulate/ids.ts'
import { simulateResponse } from './simulate/index.ts'
import { timerSleep } from './sleep.ts'

const rate = (value: number | undefined): number =>
  value !== undefined && Number.isFinite(value) ? Math.min(1, Math.max(0, value)) : 0

/**
 * A deterministic simulated model: no network, no key (`credential: 'none'`). Answers all four batch
 * endpoints in OpenAI's response shapes, with optional latency and failure injection that depends
 * only on (seed, request id, attempt), so test runs are reproducible and a retried line can succeed.
 *
 * @example
 * const engine = createBatchEngine({
 *   providers: [mockProvider({ latencyMs: { min: 5, max: 50 }, failureRate: 0.05, seed: 1 })],
 *   // …
 * })
 */
export function mockProvider(options: MockProviderOptions = {}): Provider {
  const seed = options.seed ?? 0
  const sleep = options.sleep ?? timerSleep
  const now = options.now ?? Date.now
  const retryAfterMs = Math.max(0, options.retryAfterMs ?? 200)
  const rates: FaultRates = {
    errorRate: rate(options.errorRate),
    rateLimitRate: rate(options.rateLimitRate),
    failureRate: rate(options.failureRate),
  }

  async function run(request: ExecuteRequest): Promise<ExecuteResult> {
    const before = abortedResult(request.signal)
    if (before) return before
    const latency = pickLatency(options.latencyMs, seed, request.requestId, request.attempt)
    if (latency > 0) {
      await sleep(latency, request.signal).catch(() => undefined)
      const during = abortedResult(request.signal)
      if (during) return during
    }
    const requestId = mockId('req_', `${seed}:${request.requestId}:${request.attempt}`)
    switch (rollFault(rates, seed, request.requestId, request.attempt)) {
      case 'invalid_request':
        return {
          type: 'response',
          status: 400,
          requestId,
          body: openaiError('The mock provider rejected this request (simulated).', 'invalid_request_error'),
        }
      case 'rate_limited':
        return {
          type: 'response',
          status: 429,
          requestId,
          retryAfterMs,
          body: openaiError(
            'Rate limit reached for requests (simulated by the mock provider).',
            'requests',
            'rate_limit_exceeded',
          ),
        }
      case 'server_error':
        return {
          type: 'response',
          status: 500,
          requestId,
          body: openaiError(
            'The server had an error while processing your request. Sorry about that! (simulated)',
            'server_error',
          ),
        }
      case 'none': {
        const answer = simulateResponse(request.endpoint, request.body, {
          key: `${seed}:${request.requestId}`,
          now: now(),
        })
        return { type: 'response', status: answer.status, body: answer.body, requestId }
      }
    }
  }

  return {
    name: options.name ?? 'mock',
    credential: 'none',
    mode: 'emulated',
    ...(options.concurrency !== undefined ? { concurrency: options.concurrency } : {}),
    async execute(request) {
      try {
        return await run(request)
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error)
        return { type: 'error', code: 'request_failed', message: `Mock provider failure: ${message}` }
      }
    },
  }
}
