import { type ExecuteRequest, type ExecuteResult, readBoundedText } from '@batchkit/core/provider'
import { callerAborted } from './abort.ts'
import { callSignal } from './call-signal.ts'
import { type HttpConfig, hostOf, keyOf, secretsOf } from './http-config.ts'
import { describeNetworkError } from './network-error.ts'
import { redact } from './redact.ts'
import { toResponseResult } from './response-result.ts'

export type { HttpConfig } from './http-config.ts'

/** A line ready to send: where, with which headers, and its body serialized once. */
export interface PreparedCall {
  url: string
  headers: Record<string, string>
  body: string
  /** The key it runs with (never to appear in a message). */
  key: string | null
}

/** What came back from one call: the result, and the response headers when there was an answer. */
export interface CallAnswer {
  result: ExecuteResult
  headers?: Headers
}

/** Header values that need no check: visible ASCII (what batchkit's ids are made of). */
const plainHeaderValue = /^[\x21-\x7e]*$/

/**
 * Builds the HTTP call of a request line: URL from the provider's URL scheme, configured headers, the
 * key's auth headers, `Idempotency-Key: <batchId>-<requestId>`, and the body as JSON. A final
 * `request_failed` result instead when a header value or the body cannot be sent.
 *
 * @example
 * const call = prepareCall(config, request)
 * if ('type' in call) return call
 */
export function prepareCall(config: HttpConfig, request: ExecuteRequest): PreparedCall | ExecuteResult {
  const key = keyOf(config, request.credential)
  const idempotencyKey = `${request.batchId}-${request.requestId}`
  let url: string
  let headers: Record<string, string>
  try {
    url = config.urls.lineUrl(request.endpoint, request.body)
    headers = { ...config.lines.headers(key), 'idempotency-key': idempotencyKey }
    // Ids from elsewhere than batchkit get the checks Headers makes (and its TypeError).
    if (!plainHeaderValue.test(idempotencyKey)) new Headers().set('idempotency-key', idempotencyKey)
  } catch (error) {
    const message = error instanceof TypeError ? error.message : 'Invalid provider URL or headers.'
    return { type: 'error', code: 'request_failed', message, retryable: false }
  }
  try {
    return { url, headers, body: JSON.stringify(request.body), key }
  } catch (error) {
    const why = error instanceof Error ? error.message : String(error)
    return { type: 'error', code: 'request_failed', message: `Unserializable body: ${why}`, retryable: false }
  }
}

/** Whether `fetch` failed because the answer was a redirect and the call said `redirect: 'error'`. */
function isRedirectRefusal(error: unknown): boolean {
  const cause = error instanceof TypeError ? error.cause : undefined
  return cause instanceof Error && cause.message === 'unexpected redirect'
}

/**
 * Sends a prepared call and maps the outcome to an {@link ExecuteResult}: any HTTP answer → `response`
 * (with its headers, for the pacer; a JSON answer also with its text as `bodyText`); no answer in time →
 * `request_timeout`; network failure → `request_failed`. Never throws; messages never contain the key or
 * configured header values.
 *
 * @example
 * const { result, headers } = await sendCall(config, call, request)
 */
export async function sendCall(
  config: HttpConfig,
  call: PreparedCall,
  request: ExecuteRequest,
): Promise<CallAnswer> {
  if (request.signal.aborted) return { result: callerAborted(request.signal) }
  const signal = callSignal(request.signal, config.timeoutMs, request.timeoutMs)
  const init: RequestInit = { method: 'POST', headers: call.headers, body: call.body, signal: signal.signal }
  const { lines } = config
  try {
    let response: Response
    if (lines.redirectError) {
      try {
        response = await config.fetch(call.url, { ...init, redirect: 'error' })
      } catch (error) {
        if (!isRedirectRefusal(error)) throw error
        // This upstream redirects: follow redirects from now on, as without the option.
        lines.redirectError = false
        response = await config.fetch(call.url, init)
      }
    } else response = await config.fetch(call.url, init)
    const text = await readBoundedText(response, config.maxResponseBytes)
    if (text === null) {
      const message = `The answer of ${hostOf(call.url)} is larger than ${config.maxResponseBytes} bytes (maxResponseBytes).`
      return {
        result: { type: 'error', code: 'response_too_large', message, retryable: false },
        headers: response.headers,
      }
    }
    return { result: toResponseResult(response.status, response.headers, text), headers: response.headers }
  } catch (error) {
    if (signal.timedOut()) {
      const message = `No answer from ${hostOf(call.url)} within ${signal.timeoutMs} ms.`
      return { result: { type: 'error', code: 'request_timeout', message } }
    }
    if (request.signal.aborted) return { result: callerAborted(request.signal) }
    const message = redact(
      `Request to ${hostOf(call.url)} failed: ${describeNetworkError(error)}`,
      secretsOf(config, call.key, call.url),
    )
    return { result: { type: 'error', code: 'request_failed', message } }
  } finally {
    signal.dispose()
  }
}

/**
 * POSTs one request line and maps the outcome to an {@link ExecuteResult} (see {@link prepareCall} and
 * {@link sendCall}), without pacing. Never throws.
 *
 * @example
 * const result = await executeHttp(config, request)
 */
export async function executeHttp(config: HttpConfig, request: ExecuteRequest): Promise<ExecuteResult> {
  if (request.signal.aborted) return callerAborted(request.signal)
  const call = prepareCall(config, request)
  if ('type' in call) return call
  return (await sendCall(config, call, request)).result
}
