import { ProviderCallError } from '@batchkit/core/provider'
import { toOpenAIError } from '../from-anthropic.ts'
import { retryAfterMs } from '../rate-limit-headers.ts'

/** How native calls reach Anthropic. */
export interface NativeCallConfig {
  baseURL: string
  version: string
  headers: Record<string, string>
  apiKey: string | undefined
  fetch: typeof fetch
}

/** Removes the key from a message. */
function redact(message: string, key: string | null): string {
  return key ? message.split(key).join('[redacted]') : message
}

/**
 * Calls Anthropic's batch API (`path` relative to the base URL, or an absolute `results_url`) and
 * returns the answer; throws a `ProviderCallError` for a failed call: 4xx final (but 408/409/429),
 * 5xx/529 and network failures retried, `retry-after` honoured. Messages never contain the key.
 *
 * @example
 * const batch = await (await nativeCall(config, ctx, 'GET', '/v1/messages/batches/msgbatch_1')).json()
 */
export async function nativeCall(
  config: NativeCallConfig,
  ctx: { credential: string | null; signal: AbortSignal },
  method: 'GET' | 'POST',
  path: string,
  body?: string,
): Promise<Response> {
  const key = ctx.credential ?? config.apiKey ?? null
  const headers: Record<string, string> = { ...config.headers, 'anthropic-version': config.version }
  if (key !== null) headers['x-api-key'] = key
  if (body !== undefined) headers['content-type'] = 'application/json'
  const url = /^https?:\/\//.test(path) ? path : `${config.baseURL}${path}`
  let response: Response
  try {
    response = await config.fetch(url, { method, headers, body, signal: ctx.signal })
  } catch (error) {
    const why =
      error instanceof Error
        ? error.cause instanceof Error
          ? error.cause.message
          : error.message
        : String(error)
    throw new ProviderCallError(
      redact(`Anthropic batch call ${method} ${path.split('?')[0]} failed: ${why}`, key),
      { retryable: true },
    )
  }
  if (response.ok) return response
  const text = await response.text()
  let parsed: unknown = text
  try {
    parsed = JSON.parse(text)
  } catch {}
  const mapped = toOpenAIError(response.status, parsed)
  const status = mapped.status
  const retryable = status === 408 || status === 409 || status === 429 || status >= 500
  const details: { status: number; retryable: boolean; code?: string; retryAfterMs?: number } = {
    status,
    retryable,
  }
  if (mapped.body.error.code) details.code = mapped.body.error.code
  const delay = retryAfterMs(response.headers)
  if (delay !== undefined) details.retryAfterMs = delay
  throw new ProviderCallError(
    redact(`Anthropic refused ${method} ${path.split('?')[0]}: ${mapped.body.error.message}`, key),
    details,
  )
}
