import type { BatchMode, Provider } from '@batchkit/core'
import { anthropic } from '@batchkit/provider-anthropic'
import { mockProvider } from '@batchkit/provider-mock'
import { openaiCompatible } from '@batchkit/provider-openai'
import type { ServerConfig } from './config.ts'

/** Settings of the `openai` provider, read from the environment. */
export interface OpenAIProviderEnv {
  /** `OPENAI_BATCH_MODE`: `emulated` or `native` (default `native`: the provider's Batch API, half price). */
  mode: BatchMode
  /** `OPENAI_CONCURRENCY`: most lines in flight per worker (emulated). */
  concurrency?: number
  /** `OPENAI_RPM` / `OPENAI_TPM`: limits to pace under; without them the pacer learns them from headers. */
  rpm?: number
  tpm?: number
}

type Env = Record<string, string | undefined>

function positiveNumber(env: Env, name: string): number | undefined {
  const raw = env[name]?.trim()
  if (raw === undefined || raw === '') return undefined
  const value = Number(raw)
  if (!Number.isFinite(value) || value <= 0)
    throw new Error(`${name} must be a positive number, got '${raw}'`)
  return value
}

/**
 * Reads `OPENAI_BATCH_MODE`, `OPENAI_CONCURRENCY`, `OPENAI_RPM` and `OPENAI_TPM`.
 *
 * @example
 * readOpenAIEnv({ OPENAI_BATCH_MODE: 'emulated', OPENAI_RPM: '500' }) // { mode: 'emulated', rpm: 500 }
 */
export function readOpenAIEnv(env: Env = process.env): OpenAIProviderEnv {
  const mode = (env.OPENAI_BATCH_MODE?.trim() || 'native') as BatchMode
  if (mode !== 'native' && mode !== 'emulated') {
    throw new Error(`OPENAI_BATCH_MODE must be 'emulated' or 'native', got '${env.OPENAI_BATCH_MODE}'`)
  }
  const out: OpenAIProviderEnv = { mode }
  const concurrency = positiveNumber(env, 'OPENAI_CONCURRENCY')
  const rpm = positiveNumber(env, 'OPENAI_RPM')
  const tpm = positiveNumber(env, 'OPENAI_TPM')
  if (concurrency !== undefined) out.concurrency = Math.floor(concurrency)
  if (rpm !== undefined) out.rpm = rpm
  if (tpm !== undefined) out.tpm = tpm
  return out
}

/**
 * The providers of the reference server and of `pnpm worker` (both must agree):
 * `mock` (simulated model) and `openai` (any OpenAI-compatible server at `OPENAI_BASE_URL`; mode from
 * `OPENAI_BATCH_MODE`, default `native`; optional `OPENAI_CONCURRENCY`, `OPENAI_RPM`, `OPENAI_TPM`).
 * The `openai` provider always has its native API, so a host that allows `x-batch-mode` can switch
 * single batches either way. `anthropic` runs OpenAI-format chat lines on Anthropic's Messages API
 * (`ANTHROPIC_BASE_URL`, default `https://api.anthropic.com`; optional `ANTHROPIC_CONCURRENCY`).
 *
 * @example
 * const providers = defaultProviders(readConfig(), process.env)
 */
export function defaultProviders(config: ServerConfig, env: Env = process.env): Provider[] {
  const openai = readOpenAIEnv(env)
  return [
    mockProvider({ latencyMs: config.mockLatencyMs, concurrency: 64 }),
    openaiCompatible({ baseURL: config.openaiBaseURL, native: true, ...openai }),
    anthropic({
      baseURL: env.ANTHROPIC_BASE_URL?.trim() || undefined,
      concurrency: positiveNumber(env, 'ANTHROPIC_CONCURRENCY'),
    }),
  ]
}

/** One line per provider for the startup banner. */
export function describeProviders(providers: readonly Provider[], config: ServerConfig): string[] {
  return providers.map((p) =>
    p.name === 'openai'
      ? `openai → ${config.openaiBaseURL} (${p.mode ?? 'emulated'}${p.native ? ', native API available' : ''})`
      : `${p.name} (${p.mode ?? 'emulated'})`,
  )
}
