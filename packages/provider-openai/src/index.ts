/**
 * `@batchkit/provider-openai` — run batches against any OpenAI-compatible HTTP API.
 *
 * @example
 * import { openaiCompatible } from '@batchkit/provider-openai'
 * const provider = openaiCompatible({ baseURL: 'https://api.groq.com/openai/v1', name: 'groq' })
 */
export { endpointUrl } from './endpoint-url.ts'
export type { HeaderReader } from './header-reader.ts'
export { openaiBaseURL, openaiCompatible } from './openai-compatible.ts'
export type { OpenAICompatibleOptions } from './options.ts'
export type { RateLimitSnapshot } from './rate-limit-headers.ts'
export { exhaustedResetMs, parseGoDurationMs, readRateLimitHeaders } from './rate-limit-headers.ts'
export { parseRetryAfterMs } from './retry-after.ts'
export { retryOverride } from './retry-policy.ts'
