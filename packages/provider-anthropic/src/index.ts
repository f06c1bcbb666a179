/**
 * `@batchkit/provider-anthropic` — run OpenAI-format `/v1/chat/completions` batches on Anthropic's
 * Messages API: lines translated to Anthropic requests, answers back to `chat.completion` objects.
 *
 * @example
 * import { anthropic } from '@batchkit/provider-anthropic'
 * const providers = [anthropic({ concurrency: 8 })]
 */
export { anthropic } from './anthropic.ts'
export type {
  AnthropicMessage,
  AnthropicMessageResponse,
  AnthropicMessagesRequest,
} from './anthropic-types.ts'
export { type ChatCompletion, toChatCompletion, toOpenAIError } from './from-anthropic.ts'
export type { AnthropicOptions } from './options.ts'
export { type AnthropicRateLimits, readAnthropicRateLimits } from './rate-limit-headers.ts'
export { type TranslateOptions, toAnthropicRequest } from './to-anthropic.ts'
export { TranslationError } from './translate-error.ts'
