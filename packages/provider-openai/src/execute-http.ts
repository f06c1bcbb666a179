import type { ExecuteRequest, ExecuteResult } from '@batchkit/core'
import { callerAborted } from './abort.ts'
import { callSignal } from './call-signal.ts'
import { endpointUrl } from './endpoint-url.ts'
import { describeNetworkError } from './network-error.ts'
import { redact } from './redact.ts'
import { toResponseResult } from './response-result.ts'

/** Resolved settings of an OpenAI-compatible HTTP provider. */
export interface HttpConfig {
  baseURL: string
  headers: Record<string, string>
  timeoutMs: number
  fetch: typeof fetch
  authHeader: (key: string) => Record<string, string>
  apiKey: string | undefined
}

/** Userinfo of a URL, which must never show in messages. */
function urlSecrets(url: string): string[] {
  try {
    const parsed = new URL(url)
    return [decodeURIComponent(parsed.password), decodeURIComponent(parsed.username), parsed.password]
  } catch {
    return []
  }
}

/** The host of a URL, for messages; never its userinfo. */
function hostOf(url: string): string {
  try {
    return new URL(url).host
  } catch {
    return 'the provider'
  }
}

/**
 * POSTs one request line to `${baseURL}${endpoint without /v1}` with the key as a bearer token and
 * `Idempotency-Key: <batchId>-<requestId>`, and maps the outcome to an {@link ExecuteResult}:
 * any HTTP answer → `response`; no answer in time → `request_timeout`; network failure →
 * `request_failed`. Never throws; messages never contain the key or configured header values.
 *
 * @example
 * const result = await executeHttp(config, request)
 */
export async function executeHttp(config: HttpConfig, request: ExecuteRequest): Promise<ExecuteResult> {
  const key = request.credential ?? config.apiKey ?? null
  const url = endpointUrl(config.baseURL, request.endpoint)
  const secrets = [key, ...Object.values(config.headers), ...urlSecrets(url)]
  if (request.signal.aborted) return callerAborted(request.signal)

  let headers: Headers
  let body: string
  try {
    headers = new Headers(config.headers)
    headers.set('content-type', 'application/json')
    headers.set('accept', 'application/json')
    if (key !== null)
      for (const [name, value] of Object.entries(config.authHeader(key))) headers.set(name, value)
    headers.set('idempotency-key', `${request.batchId}-${request.requestId}`)
  } catch {
    return {
      type: 'error',
      code: 'request_failed',
      message:
        'Invalid request headers: the credential or a configured header has characters HTTP does not allow.',
      retryable: false,
    }
  }
  try {
    body = JSON.stringify(request.body)
  } catch (error) {
    const why = error instanceof Error ? error.message : String(error)
    return { type: 'error', code: 'request_failed', message: `Unserializable body: ${why}`, retryable: false }
  }

  const call = callSignal(request.signal, config.timeoutMs)
  try {
    const response = await config.fetch(url, { method: 'POST', headers, body, signal: call.signal })
    const text = await response.text()
    return toResponseResult(response.status, response.headers, text)
  } catch (error) {
    if (request.signal.aborted) return callerAborted(request.signal)
    if (call.timedOut()) {
      return {
        type: 'error',
        code: 'request_timeout',
        message: `No answer from ${hostOf(url)} within ${config.timeoutMs} ms.`,
      }
    }
    const message = `Request to ${hostOf(url)} failed: ${describeNetworkError(error)}`
    return { type: 'error', code: 'request_failed', message: redact(message, secrets) }
  } finally {
    call.dispose()
  }
}
