import { type ProviderCallDetails, ProviderCallError } from '@batchkit/core/provider'
import type { HeaderReader } from '../header-reader.ts'
import { parseBody } from '../read-body.ts'
import { redact } from '../redact.ts'
import { parseRetryAfterMs } from '../retry-after.ts'
import { retryOverride } from '../retry-policy.ts'

/**
 * A failed call to an OpenAI-shaped Files/Batches API: a `ProviderCallError`, which the runner retries
 * with backoff unless `retryable` is false.
 *
 * @example
 * throw new ProviderError('Request to api.openai.com failed: ECONNRESET')
 */
export class ProviderError extends ProviderCallError {
  override readonly name: string = 'ProviderError'
}

/** `error.message` / `error.code` of an OpenAI envelope, or of a flat `{message}` / `{error: '…'}` body. */
function describe(body: unknown): { message?: string; code?: string } {
  if (typeof body === 'string') return body.trim() ? { message: body.trim().slice(0, 300) } : {}
  if (typeof body !== 'object' || body === null) return {}
  const record = body as Record<string, unknown>
  const inner = record.error
  if (typeof inner === 'string') return { message: inner }
  const source = typeof inner === 'object' && inner !== null ? (inner as Record<string, unknown>) : record
  const out: { message?: string; code?: string } = {}
  if (typeof source.message === 'string') out.message = source.message
  if (typeof source.code === 'string') out.code = source.code
  else if (typeof source.type === 'string') out.code = source.type
  return out
}

/**
 * The error of a non-2xx answer: message and code from the body (redacted), retryable for 408, 429 (not
 * `insufficient_quota`) and 5xx unless `x-should-retry` says otherwise, with the answer's retry delay.
 *
 * @example
 * if (!response.ok) throw answerError(response.status, response.headers, await response.text(), secrets)
 */
export function answerError(
  status: number,
  headers: HeaderReader,
  text: string,
  secrets: readonly (string | null)[],
  what = 'The provider',
): ProviderError {
  const body = parseBody(text)
  const { message, code } = describe(body)
  const retryable =
    retryOverride(status, headers, body) ?? (status === 408 || status === 429 || status >= 500)
  const fields: ProviderCallDetails = { status, retryable }
  if (code !== undefined) fields.code = code
  const retryAfterMs = parseRetryAfterMs(headers)
  if (retryAfterMs !== undefined) fields.retryAfterMs = retryAfterMs
  const full = redact(`${what} answered HTTP ${status}${message ? `: ${message}` : '.'}`, secrets)
  return new ProviderError(full.slice(0, 1000), fields)
}
