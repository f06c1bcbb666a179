/**
 * `@batchkit/provider-openai` — run batches against any OpenAI-compatible HTTP API, emulated (paced
 * line-by-line calls) or native (the provider's own Batch API).
 *
 * @example
 * import { openai, openaiCompatible } from '@batchkit/provider-openai'
 * const providers = [openai({ mode: 'native' }), openaiCompatible({ name: 'local', baseURL: 'http://localhost:8000/v1' })]
 */
export { endpointUrl } from './endpoint-url.ts'
export type { HeaderReader } from './header-reader.ts'
export { toSnapshot, unwrapBatch } from './native/batch-object.ts'
export { type MultipartBody, type MultipartFile, multipartBody } from './native/multipart.ts'
export { type NativeFlavor, type NativeOptions, openaiNativeApi } from './native/native-api.ts'
export { answerError, ProviderError } from './native/provider-error.ts'
export { mapBatchStatus, toEpochMs } from './native/status-map.ts'
export {
  buildProvider,
  type OpenAICompatibleProvider,
  openaiBaseURL,
  openaiCompatible,
} from './openai-compatible.ts'
export type { OpenAICompatibleOptions, PacingOptions } from './options.ts'
export { estimateTokens, usedTokens } from './pacing/cost.ts'
export {
  type Admission,
  type CallReport,
  Pacer,
  type PacerClock,
  type PacerOptions,
  type PacerStats,
  type Permit,
  wallClock,
} from './pacing/pacer.ts'
export { type LimitWindow, type RateLimitInfo, readRateLimits, refillRate } from './pacing/rate-limits.ts'
export { credentialFingerprint, PacerRegistry } from './pacing/registry.ts'
export {
  azureOpenAI,
  groq,
  ollama,
  openai,
  type PresetOptions,
  presetBaseURLs,
  together,
  vllm,
} from './presets.ts'
export type { RateLimitSnapshot } from './rate-limit-headers.ts'
export { exhaustedResetMs, parseGoDurationMs, readRateLimitHeaders } from './rate-limit-headers.ts'
export { parseRetryAfterMs } from './retry-after.ts'
export { retryOverride } from './retry-policy.ts'
export {
  type AzureLocation,
  azureDefaultApiVersion,
  azureUrlScheme,
  baseUrlScheme,
  type UrlScheme,
} from './urls.ts'
