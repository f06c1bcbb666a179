/**
 * `@batchkit/provider-openai` — run batches against any OpenAI-compatible HTTP API, emulated (paced
 * line-by-line calls) or native (the provider's own Batch API).
 *
 * @example
 * import { openai, openaiCompatible } from '@batchkit/provider-openai'
 * const providers = [openai({ mode: 'native' }), openaiCompatible({ name: 'local', baseURL: 'http://localhost:8000/v1' })]
 */
export type { HeaderReader } from './header-reader.ts'
export { toSnapshot } from './native/batch-object.ts'
export type { NativeFlavor, NativeOptions } from './native/native-api.ts'
export { type OpenAICompatibleProvider, openaiCompatible } from './openai-compatible.ts'
export type { OpenAICompatibleOptions, PacingOptions } from './options.ts'
export type { PacerStats } from './pacing/pacer.ts'
export { azureOpenAI, groq, ollama, openai, type PresetOptions, together, vllm } from './presets.ts'
export {
  exhaustedResetMs,
  parseGoDurationMs,
  type RateLimitSnapshot,
  readRateLimitHeaders,
} from './rate-limit-headers.ts'
export { parseRetryAfterMs } from './retry-after.ts'
export type { AzureLocation } from './urls.ts'
