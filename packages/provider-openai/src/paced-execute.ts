import type { ExecuteRequest, ExecuteResult } from '@batchkit/core/provider'
import { callerAborted } from './abort.ts'
import { type HttpConfig, prepareCall, sendCall } from './execute-http.ts'
import { estimateTokens, usedTokens } from './pacing/cost.ts'
import type { CallReport } from './pacing/pacer.ts'
import type { PacerRegistry } from './pacing/registry.ts'

/**
 * Runs one request line through the pacer of its credential: estimates its tokens, waits for capacity
 * (never past the batch's deadline or the pacer's `maxWaitMs` — then a retryable `request_failed` with
 * `retryAfterMs` and `sent: false` hands the line back to the runner without using up an attempt),
 * sends it, and feeds the answer (headers, 429s, usage) back to the pacer. A retryable failure without a `retry-after` gets the pacer's next slot as
 * its `retryAfterMs`. Never throws.
 *
 * @example
 * const result = await executePaced(config, pacers, request)
 */
export async function executePaced(
  config: HttpConfig,
  pacers: PacerRegistry,
  request: ExecuteRequest,
): Promise<ExecuteResult> {
  if (request.signal.aborted) return callerAborted(request.signal)
  const call = prepareCall(config, request)
  if ('type' in call) return call
  const pacer = pacers.peek(call.key) ?? (await pacers.get(call.key))
  const cost = estimateTokens(request.body, call.body.length)
  const admission = await pacer.acquire(cost, { deadline: request.deadline, signal: request.signal })
  if (!admission.ok) {
    if (admission.reason === 'aborted') return callerAborted(request.signal)
    const why = admission.reason === 'deadline' ? "before the batch's deadline" : 'soon enough'
    return {
      type: 'error',
      code: 'request_failed',
      message: `The provider's rate limit leaves no capacity ${why} (next in ${admission.retryAfterMs} ms).`,
      retryable: true,
      retryAfterMs: admission.retryAfterMs,
      sent: false,
    }
  }
  const { result, headers } = await sendCall(config, call, request)
  const report: CallReport = {}
  if (headers) report.headers = headers
  if (result.type === 'response') {
    report.status = result.status
    if (result.retryAfterMs !== undefined) report.retryAfterMs = result.retryAfterMs
    if (result.retryable !== undefined) report.retryable = result.retryable
    if (result.status >= 200 && result.status < 300) {
      const used = usedTokens(result.body)
      if (used !== undefined) report.usedTokens = used
    }
  }
  pacer.settle(admission.permit, report)
  const failed = result.type === 'error' || result.status < 200 || result.status >= 300
  if (failed && result.retryAfterMs === undefined && result.retryable !== false) {
    const next = pacer.nextSlotMs()
    if (next > 0) result.retryAfterMs = next
  }
  return result
}
