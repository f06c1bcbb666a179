import type { Provider } from '@batchkit/core'
import { mockProvider } from '@batchkit/provider-mock'
import { openaiCompatible } from '@batchkit/provider-openai'
import type { ServerConfig } from './config.ts'

/**
 * The providers of the reference server and of `pnpm worker` (both must agree):
 * `mock` (simulated model) and `openai` (any OpenAI-compatible server at `OPENAI_BASE_URL`).
 */
export function defaultProviders(config: ServerConfig): Provider[] {
  return [
    mockProvider({ latencyMs: config.mockLatencyMs, concurrency: 64 }),
    openaiCompatible({ baseURL: config.openaiBaseURL }),
  ]
}

/** One line per provider for the startup banner. */
export function describeProviders(providers: readonly Provider[], config: ServerConfig): string[] {
  return providers.map((p) =>
    p.name === 'openai'
      ? `openai → ${config.openaiBaseURL} (${p.mode ?? 'emulated'})`
      : `${p.name} (${p.mode ?? 'emulated'})`,
  )
}
