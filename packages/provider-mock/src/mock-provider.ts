import type { ExecuteRequest, ExecuteResult, Provider } from '@batchkit/core/provider'
import { abortedResult } from './abort.ts'
import { openaiError } from './errors.ts'
import { type FaultRates, rollFault } from './faults.ts'
import { pickLatency } from './latency.ts'
import type { MockProviderOptions } from './options.ts'
import { mockId } from './simulate/ids.ts'
import { simulateResponse } from './simulate/index.ts'
import { timerSleep } from './sleep.ts'

/**
 * An HTTP-like answer. Its `bodyText` is the body serialised once here, as an HTTP provider hands over
 * the text it parsed, so runs on the mock go through the same output-line path as real ones.
 */
function answer(status: number, body: unknown, requestId: string): ExecuteResult {
  return { type: 'response', status, body, bodyText: JSON.stringify(body), requestId }
}

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
        return answer(
          400,
          openaiError('The mock provider rejected this request (simulated).', 'invalid_request_error'),
          requestId,
        )
      case 'rate_limited':
        return {
          ...answer(
            429,
            openaiError(
              'Rate limit reached for requests (simulated by the mock provider).',
              'requests',
              'rate_limit_exceeded',
            ),
            requestId,
          ),
          retryAfterMs,
        }
      case 'server_error':
        return answer(
          500,
          openaiError(
            'The server had an error while processing your request. Sorry about that! (simulated)',
            'server_error',
          ),
          requestId,
        )
      case 'none': {
        const simulated = simulateResponse(request.endpoint, request.body, {
          key: `${seed}:${request.requestId}`,
          now: now(),
        })
        return answer(simulated.status, simulated.body, requestId)
      }
    }
  }

  return {
    name: options.name ?? 'mock',
    credential: 'none',
    mode: 'emulated',
    concurrency: options.concurrency,
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
