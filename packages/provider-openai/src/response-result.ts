import type { ExecuteResult } from '@batchkit/core/provider'
import type { HeaderReader } from './header-reader.ts'
import { exhaustedResetMs, readRateLimitHeaders } from './rate-limit-headers.ts'
import { parseBody } from './read-body.ts'
import { parseRetryAfterMs } from './retry-after.ts'
import { retryOverride } from './retry-policy.ts'

/**
 * The `response` outcome of an HTTP answer: status, parsed body (with the text it was parsed from as
 * `bodyText`, which the runner writes out as is), `x-request-id`, the delay the
 * provider asked for (`retry-after-ms`, `retry-after`, else — on a 429 — the reset of the exhausted
 * `x-ratelimit-*` budget) and any retry override.
 *
 * @example
 * toResponseResult(429, response.headers, await response.text())
 * // { type: 'response', status: 429, body: { error: … }, requestId: 'req_…', retryAfterMs: 1000 }
 */
export function toResponseResult(
  status: number,
  headers: HeaderReader,
  text: string,
  now: number = Date.now(),
): ExecuteResult {
  const body = parseBody(text)
  const result: ExecuteResult =
    typeof body === 'string'
      ? { type: 'response', status, body }
      : { type: 'response', status, body, bodyText: text }
  const requestId = headers.get('x-request-id')
  if (requestId) result.requestId = requestId
  if (status >= 200 && status < 300) return result
  let retryAfterMs = parseRetryAfterMs(headers, now)
  if (retryAfterMs === undefined && status === 429) {
    const snapshot = readRateLimitHeaders(headers)
    if (snapshot) retryAfterMs = exhaustedResetMs(snapshot)
  }
  if (retryAfterMs !== undefined) result.retryAfterMs = retryAfterMs
  const retryable = retryOverride(status, headers, body)
  if (retryable !== undefined) result.retryable = retryable
  return result
}
