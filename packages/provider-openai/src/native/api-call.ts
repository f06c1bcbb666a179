import { readBoundedText } from '@batchkit/core/provider'
import { callSignal } from '../call-signal.ts'
import { callHeaders, type HttpConfig, hostOf, keyOf, secretsOf } from '../http-config.ts'
import { describeNetworkError } from '../network-error.ts'
import { parseBody } from '../read-body.ts'
import { redact } from '../redact.ts'
import { answerError, ProviderError } from './provider-error.ts'

/** Longest error answer of a provider's Files/Batches API that is read. */
const maxErrorBodyBytes = 1024 * 1024
/** One call to a provider's Files/Batches API. */
export interface ApiCall {
  method: 'GET' | 'POST'
  /** Path under the API base, e.g. `/batches/batch_1`. */
  path: string
  query?: Record<string, string>
  /** JSON body (`POST`). */
  json?: unknown
  /** A streamed body with its headers instead (multipart uploads). */
  stream?: { body: ReadableStream<Uint8Array>; headers: Record<string, string> }
  credential: string | null
  signal: AbortSignal
}

/** `fetch` init with `duplex`, which Node's fetch needs for a streamed body (other runtimes ignore it). */
type StreamingInit = RequestInit & { duplex?: 'half' }

/**
 * Calls the provider's API and returns the answer (2xx only; its body unread). Throws a
 * {@link ProviderError}: the answer's error for non-2xx, a retryable one for network failures and
 * timeouts. Messages never contain the key, configured headers or URL credentials.
 *
 * @example
 * const response = await apiCall(config, { method: 'GET', path: '/batches/b1', credential, signal })
 */
export async function apiCall(config: HttpConfig, call: ApiCall): Promise<Response> {
  const key = keyOf(config, call.credential)
  const url = config.urls.apiUrl(call.path, call.query)
  const secrets = secretsOf(config, key, url)
  let headers: Headers
  try {
    headers = callHeaders(config, key)
  } catch (error) {
    throw new ProviderError(error instanceof Error ? error.message : 'Invalid headers.', { retryable: false })
  }
  const init: StreamingInit = { method: call.method, headers }
  if (call.json !== undefined) {
    headers.set('content-type', 'application/json')
    init.body = JSON.stringify(call.json)
  } else if (call.stream) {
    for (const [name, value] of Object.entries(call.stream.headers)) headers.set(name, value)
    init.body = call.stream.body
    init.duplex = 'half'
  }
  const signal = callSignal(call.signal, config.timeoutMs)
  init.signal = signal.signal
  let response: Response
  try {
    response = await config.fetch(url, init)
  } catch (error) {
    const why = signal.timedOut() ? `no answer within ${config.timeoutMs} ms` : describeNetworkError(error)
    signal.dispose()
    throw new ProviderError(redact(`Request to ${hostOf(url)} failed: ${why}`, secrets))
  }
  if (!response.ok) {
    // An error body is a message, never more than this is read (a broken upstream may send megabytes).
    const text = (await readBoundedText(response, maxErrorBodyBytes).catch(() => null)) ?? ''
    signal.dispose()
    throw answerError(response.status, response.headers, text, secrets, `${hostOf(url)}`)
  }
  // The timer must outlive this function while a streamed body is read; it is cleared at the end of reading.
  if (response.body) {
    const reader = response.body.getReader()
    const body = new ReadableStream<Uint8Array>({
      async pull(controller) {
        try {
          const { done, value } = await reader.read()
          if (done) {
            signal.dispose()
            controller.close()
          } else controller.enqueue(value)
        } catch (error) {
          signal.dispose()
          controller.error(
            new ProviderError(
              redact(`Reading from ${hostOf(url)} failed: ${describeNetworkError(error)}`, secrets),
            ),
          )
        }
      },
      async cancel(reason) {
        signal.dispose()
        await reader.cancel(reason)
      },
    })
    return new Response(body, { status: response.status, headers: response.headers })
  }
  signal.dispose()
  return response
}

/**
 * Calls the provider's API and parses its JSON answer.
 *
 * @example
 * const batch = await apiJson(config, { method: 'POST', path: '/batches', json: body, credential, signal })
 */
export async function apiJson(config: HttpConfig, call: ApiCall): Promise<unknown> {
  const response = await apiCall(config, call)
  const text = await readBoundedText(response, config.maxResponseBytes)
  if (text === null) {
    throw new ProviderError(
      `${hostOf(config.urls.apiUrl(call.path))} answered ${call.method} ${call.path} with more than ${config.maxResponseBytes} bytes.`,
    )
  }
  const body = parseBody(text)
  if (typeof body !== 'object' || body === null) {
    throw new ProviderError(
      `${hostOf(config.urls.apiUrl(call.path))} answered ${call.method} ${call.path} with something that is not JSON.`,
    )
  }
  return body
}
