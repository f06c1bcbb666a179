import type { Provider } from '@batchkit/core'
import { executeHttp, type HttpConfig } from './execute-http.ts'
import type { OpenAICompatibleOptions } from './options.ts'

/** OpenAI's API base. */
export const openaiBaseURL = 'https://api.openai.com/v1'

const bearer = (key: string): Record<string, string> => ({ Authorization: `Bearer ${key}` })

/**
 * A provider for any OpenAI-compatible HTTP API (OpenAI, Azure, Groq, Together, vLLM, Ollama …),
 * running batch lines one by one against its synchronous endpoints (emulated mode). Never throws:
 * HTTP answers become `response` results (with `retryAfterMs` from `retry-after-ms`/`retry-after`,
 * and `insufficient_quota` 429s marked final), silence becomes `request_timeout`, network failures
 * `request_failed`.
 *
 * @example
 * const vllm = openaiCompatible({ name: 'vllm', baseURL: 'http://localhost:8000/v1', credential: 'none' })
 * const openai = openaiCompatible({ concurrency: 32, timeoutMs: 120_000 })
 */
export function openaiCompatible(options: OpenAICompatibleOptions = {}): Provider {
  const config: HttpConfig = {
    baseURL: options.baseURL ?? openaiBaseURL,
    headers: { ...options.headers },
    timeoutMs: options.timeoutMs ?? 600_000,
    fetch: options.fetch ?? ((input, init) => fetch(input, init)),
    authHeader: options.authHeader ?? bearer,
    apiKey: options.apiKey,
  }
  return {
    name: options.name ?? 'openai',
    credential: options.credential ?? (options.apiKey !== undefined ? 'optional' : 'required'),
    mode: 'emulated',
    ...(options.concurrency !== undefined ? { concurrency: options.concurrency } : {}),
    ...(options.maxAttempts !== undefined ? { maxAttempts: options.maxAttempts } : {}),
    execute: (request) =>
      executeHttp(config, request).catch(() => ({
        type: 'error',
        code: 'request_failed',
        message: 'Unexpected failure in the OpenAI-compatible provider.',
      })),
  }
}
