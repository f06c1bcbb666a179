import { defaultMaxResponseBytes, type Provider } from '@batchkit/core/provider'
import { checkChatLine } from './check-line.ts'
import { executeMessage, type MessageCallConfig } from './execute-message.ts'
import { anthropicNativeApi } from './native/native-api.ts'
import type { AnthropicOptions } from './options.ts'
import { AnthropicPacer } from './pacer.ts'

/** Anthropic's API base. */
export const anthropicBaseURL = 'https://api.anthropic.com'

/**
 * A provider that runs OpenAI-format `/v1/chat/completions` batch lines on Anthropic's Messages API
 * (emulated: one paced `POST /v1/messages` per line). Lines are translated (system messages, images,
 * tools, tool calls and results, stop sequences …) and answers translated back into `chat.completion`
 * objects; a line Anthropic cannot express (`n > 1`, `logprobs`, JSON `response_format` …) fails with a
 * 400 naming the field. Paced per key from `anthropic-ratelimit-*` headers and `retry-after`. With
 * `mode: 'native'` (or `native: true` for batches that ask) whole files go to Anthropic's Message
 * Batches API instead.
 *
 * @example
 * const providers = [anthropic({ concurrency: 8, defaultMaxTokens: 1024 })]
 * // client: batches.create({ …, extra_headers: { 'x-provider': 'anthropic' } }) with Anthropic's key
 */
export function anthropic(options: AnthropicOptions = {}): Provider {
  const base = (options.baseURL ?? anthropicBaseURL).replace(/\/+$/, '')
  const pacing = options.pacing
  const pacers = new Map<string, AnthropicPacer>()
  const config: MessageCallConfig = {
    messagesUrl: `${base}/v1/messages`,
    version: options.version ?? '2023-06-01',
    headers: { ...options.headers },
    defaultMaxTokens: options.defaultMaxTokens ?? 4096,
    timeoutMs: options.timeoutMs ?? 600_000,
    maxResponseBytes: options.maxResponseBytes ?? defaultMaxResponseBytes,
    apiKey: options.apiKey,
    fetch: options.fetch ?? ((input, init) => fetch(input, init)),
    pacerFor:
      pacing === false
        ? null
        : (key) => {
            const id = key ?? ''
            let pacer = pacers.get(id)
            if (!pacer) {
              pacer = new AnthropicPacer({ rpm: options.rpm, maxWaitMs: pacing?.maxWaitMs })
              pacers.set(id, pacer)
            }
            return pacer
          },
  }
  const native =
    (options.native !== undefined && options.native !== false) || options.mode === 'native'
      ? anthropicNativeApi({
          baseURL: base,
          version: config.version,
          headers: config.headers,
          apiKey: options.apiKey,
          fetch: config.fetch,
          defaultMaxTokens: config.defaultMaxTokens,
          pollIntervalMs: typeof options.native === 'object' ? options.native.pollIntervalMs : undefined,
        })
      : undefined
  return {
    name: options.name ?? 'anthropic',
    endpoints: ['/v1/chat/completions'],
    credential: options.credential ?? (options.apiKey !== undefined ? 'optional' : 'required'),
    mode: options.mode ?? 'emulated',
    native,
    concurrency: options.concurrency,
    maxAttempts: options.maxAttempts,
    checkLine: (body) => checkChatLine(body),
    execute: (request) =>
      executeMessage(config, request).catch(() => ({
        type: 'error',
        code: 'request_failed',
        message: 'Unexpected failure in the Anthropic provider.',
      })),
  }
}
