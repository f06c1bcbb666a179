import { defaultMaxResponseBytes, type NativeBatchApi, type Provider } from '@batchkit/core/provider'
import { executeHttp } from './execute-http.ts'
import type { HttpConfig } from './http-config.ts'
import { lineHeaderCache } from './line-headers.ts'
import { openaiNativeApi } from './native/native-api.ts'
import type { OpenAICompatibleOptions } from './options.ts'
import { executePaced } from './paced-execute.ts'
import { PacerRegistry } from './pacing/registry.ts'
import { baseUrlScheme, type UrlScheme } from './urls.ts'

/** OpenAI's API base. */
export const openaiBaseURL = 'https://api.openai.com/v1'

const bearer = (key: string): Record<string, string> => ({ Authorization: `Bearer ${key}` })

/** A provider made by {@link openaiCompatible}: a batchkit Provider plus its per-credential pacers. */
export interface OpenAICompatibleProvider extends Provider {
  /** One pacer per credential fingerprint (inspect `stats()` for learned limits). */
  readonly pacers: PacerRegistry
}

/**
 * Builds the provider over any URL scheme (presets use it for Azure's deployment URLs).
 *
 * @example
 * const azure = buildProvider({ name: 'azure' }, azureUrlScheme({ resource: 'acme' }))
 */
export function buildProvider(options: OpenAICompatibleOptions, urls: UrlScheme): OpenAICompatibleProvider {
  const config: HttpConfig = {
    urls,
    headers: { ...options.headers },
    timeoutMs: options.timeoutMs ?? 600_000,
    maxResponseBytes: options.maxResponseBytes ?? defaultMaxResponseBytes,
    fetch: options.fetch ?? ((input, init) => fetch(input, init)),
    authHeader: options.authHeader ?? bearer,
    apiKey: options.apiKey,
    // A fetch of the host's own may not know `redirect: 'error'` the way Node's does.
    lines: { headers: () => ({}), redirectError: options.fetch === undefined },
  }
  config.lines.headers = lineHeaderCache(config)
  const pacing = options.pacing
  const pacers = new PacerRegistry({ rpm: options.rpm, tpm: options.tpm, ...(pacing || {}) })
  const wantsNative = options.native !== undefined && options.native !== false
  const native: NativeBatchApi | undefined =
    wantsNative || options.mode === 'native'
      ? openaiNativeApi(config, typeof options.native === 'object' ? options.native : {})
      : undefined
  const run = pacing === false ? executeHttp.bind(null, config) : executePaced.bind(null, config, pacers)
  return {
    name: options.name ?? 'openai',
    credential: options.credential ?? (options.apiKey !== undefined ? 'optional' : 'required'),
    mode: options.mode ?? 'emulated',
    concurrency: options.concurrency,
    maxAttempts: options.maxAttempts,
    native,
    pacers,
    execute: (request) =>
      run(request).catch(() => ({
        type: 'error',
        code: 'request_failed',
        message: 'Unexpected failure in the OpenAI-compatible provider.',
      })),
  }
}

/**
 * A provider for any OpenAI-compatible HTTP API (OpenAI, Azure, Groq, Together, vLLM, Ollama …).
 * Emulated mode (default) runs batch lines one by one against the synchronous endpoints, paced per
 * credential to the provider's limits (configured `rpm`/`tpm`, or learned from `x-ratelimit-*` headers
 * and 429s); native mode (`mode: 'native'`, or `native` for a per-batch override) hands whole files to
 * the provider's own Batch API. `execute` never throws: HTTP answers become `response` results (with
 * `retryAfterMs`, `insufficient_quota` marked final), silence becomes `request_timeout`, network
 * failures `request_failed`.
 *
 * @example
 * const vllm = openaiCompatible({ name: 'vllm', baseURL: 'http://localhost:8000/v1', credential: 'none' })
 * const openai = openaiCompatible({ concurrency: 32, rpm: 5_000, tpm: 2_000_000 })
 * const nativeOpenAI = openaiCompatible({ name: 'openai-batch', mode: 'native' })
 */
export function openaiCompatible(options: OpenAICompatibleOptions = {}): OpenAICompatibleProvider {
  return buildProvider(options, baseUrlScheme(options.baseURL ?? openaiBaseURL))
}
