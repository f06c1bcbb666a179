import { type ExecuteRequest, type ExecuteResult, readBoundedText } from '@batchkit/core/provider'
import type { AnthropicMessageResponse } from './anthropic-types.ts'
import { toChatCompletion, toOpenAIError } from './from-anthropic.ts'
import type { AnthropicPacer } from './pacer.ts'
import { readAnthropicRateLimits, retryAfterMs } from './rate-limit-headers.ts'
import { toAnthropicRequest } from './to-anthropic.ts'
import { TranslationError, translationErrorBody } from './translate-error.ts'

/** Resolved settings of the Anthropic provider. */
export interface MessageCallConfig {
  messagesUrl: string
  version: string
  headers: Record<string, string>
  defaultMaxTokens: number
  timeoutMs: number
  maxResponseBytes: number
  apiKey: string | undefined
  fetch: typeof fetch
  /** The pacer of a key (null: no pacing). */
  pacerFor: ((key: string | null) => AnthropicPacer) | null
}

/** Parsed JSON, or the text when it is not JSON. */
function parse(text: string): unknown {
  try {
    return JSON.parse(text)
  } catch {
    return text
  }
}

/** The failure of a call its caller aborted (`request_timeout` for a deadline). */
function aborted(signal: AbortSignal): ExecuteResult {
  const reason: unknown = signal.reason
  const timeout =
    typeof reason === 'object' && reason !== null && 'name' in reason && reason.name === 'TimeoutError'
  return timeout
    ? { type: 'error', code: 'request_timeout', message: 'The call overran its deadline.' }
    : { type: 'error', code: 'request_failed', message: 'The call was aborted.' }
}

/** Removes the key from a message. */
function redact(message: string, key: string | null): string {
  return key ? message.split(key).join('[redacted]') : message
}

/**
 * Runs one `/v1/chat/completions` line on Anthropic: translates it (an untranslatable line fails for
 * good with a 400 naming the field), waits for its credential's rate-limit capacity, `POST`s
 * `/v1/messages` with `x-api-key` and `anthropic-version`, and translates the answer back — a message
 * into a `chat.completion`, an error into an OpenAI-shaped error with the status of its type, with
 * `retry-after` as `retryAfterMs`. Never throws.
 *
 * @example
 * const result = await executeMessage(config, request)
 */
export async function executeMessage(
  config: MessageCallConfig,
  request: ExecuteRequest,
): Promise<ExecuteResult> {
  if (request.signal.aborted) return aborted(request.signal)
  if (request.endpoint !== '/v1/chat/completions') {
    const message = `The anthropic provider runs /v1/chat/completions only, not ${request.endpoint}.`
    return {
      type: 'response',
      status: 400,
      retryable: false,
      body: { error: { message, type: 'invalid_request_error', param: 'url', code: 'unsupported_endpoint' } },
    }
  }
  let body: string
  try {
    body = JSON.stringify(toAnthropicRequest(request.body, { defaultMaxTokens: config.defaultMaxTokens }))
  } catch (error) {
    if (error instanceof TranslationError)
      return { type: 'response', status: 400, retryable: false, body: translationErrorBody(error) }
    const message = error instanceof Error ? error.message : String(error)
    return {
      type: 'error',
      code: 'request_failed',
      message: `Untranslatable body: ${message}`,
      retryable: false,
    }
  }
  const key = request.credential ?? config.apiKey ?? null
  const pacer = config.pacerFor?.(key)
  if (pacer) {
    const admission = await pacer.acquire(
      { inputTokens: Math.ceil(body.length / 4) },
      request.deadline,
      request.signal,
    )
    if (!admission.ok) {
      if (admission.reason === 'aborted') return aborted(request.signal)
      const message = `Anthropic's rate limit leaves no capacity soon enough (next in ${admission.retryAfterMs} ms).`
      return {
        type: 'error',
        code: 'request_failed',
        message,
        retryable: true,
        retryAfterMs: admission.retryAfterMs,
        sent: false,
      }
    }
  }
  const headers: Record<string, string> = {
    ...config.headers,
    'content-type': 'application/json',
    'anthropic-version': config.version,
  }
  if (key !== null) headers['x-api-key'] = key
  const signals = [request.signal]
  if (config.timeoutMs > 0 && !(request.timeoutMs !== undefined && request.timeoutMs <= config.timeoutMs))
    signals.push(AbortSignal.timeout(config.timeoutMs))
  const signal = signals.length === 1 ? request.signal : AbortSignal.any(signals)
  let response: Response
  let text: string | null
  try {
    response = await config.fetch(config.messagesUrl, { method: 'POST', headers, body, signal })
    text = await readBoundedText(response, config.maxResponseBytes)
  } catch (error) {
    if (request.signal.aborted) return aborted(request.signal)
    if (signal.aborted)
      return {
        type: 'error',
        code: 'request_timeout',
        message: `No answer from Anthropic within ${config.timeoutMs} ms.`,
      }
    const why =
      error instanceof Error
        ? error.cause instanceof Error
          ? error.cause.message
          : error.message
        : String(error)
    return {
      type: 'error',
      code: 'request_failed',
      message: redact(`Request to Anthropic failed: ${why}`, key),
    }
  }
  if (text === null)
    return {
      type: 'error',
      code: 'response_too_large',
      message: `Anthropic's answer is larger than ${config.maxResponseBytes} bytes.`,
      retryable: false,
    }
  const parsed = parse(text)
  const requestId = response.headers.get('request-id') ?? undefined
  const delay = retryAfterMs(response.headers)
  let result: ExecuteResult
  let outputTokens: number | undefined
  if (
    response.ok &&
    typeof parsed === 'object' &&
    parsed !== null &&
    (parsed as { type?: unknown }).type === 'message'
  ) {
    const message = parsed as AnthropicMessageResponse
    outputTokens = message.usage?.output_tokens
    result = { type: 'response', status: 200, body: toChatCompletion(message, Math.floor(Date.now() / 1000)) }
  } else if (response.ok) {
    const error = {
      message: 'Anthropic answered with something other than a message.',
      type: 'server_error',
      param: null,
      code: 'unexpected_response',
    }
    result = { type: 'response', status: 502, body: { error } }
  } else {
    const mapped = toOpenAIError(response.status, parsed)
    result = { type: 'response', status: mapped.status, body: mapped.body }
    if (delay !== undefined) result.retryAfterMs = delay
    const shouldRetry = response.headers.get('x-should-retry')
    if (shouldRetry === 'true' || shouldRetry === 'false') result.retryable = shouldRetry === 'true'
  }
  if (requestId !== undefined) result.requestId = requestId
  const report: Parameters<AnthropicPacer['settle']>[0] = {
    limits: readAnthropicRateLimits(response.headers),
    status: response.status,
  }
  if (delay !== undefined) report.retryAfterMs = delay
  if (outputTokens !== undefined) report.outputTokens = outputTokens
  pacer?.settle(report)
  return result
}
