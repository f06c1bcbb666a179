import type { NativeOptions } from './native/native-api.ts'
import {
  buildProvider,
  type OpenAICompatibleProvider,
  openaiBaseURL,
  openaiCompatible,
} from './openai-compatible.ts'
import type { OpenAICompatibleOptions } from './options.ts'
import { type AzureLocation, azureUrlScheme } from './urls.ts'

/** API bases of the presets. */
export const presetBaseURLs = {
  openai: openaiBaseURL,
  groq: 'https://api.groq.com/openai/v1',
  together: 'https://api.together.xyz/v1',
  ollama: 'http://localhost:11434/v1',
} as const

/** Options of a preset: everything {@link openaiCompatible} takes, with the preset's defaults. */
export type PresetOptions = OpenAICompatibleOptions

/** The preset's native options merged with the caller's (`native: false` turns native off). */
function nativeWith(
  defaults: NativeOptions,
  given: OpenAICompatibleOptions['native'],
): OpenAICompatibleOptions['native'] {
  if (given === false) return false
  return { ...defaults, ...(typeof given === 'object' ? given : {}) }
}

/**
 * OpenAI (`https://api.openai.com/v1`), with its native Batch API available (`mode: 'native'` or a
 * per-batch `x-batch-mode: native`).
 *
 * @example
 * const provider = openai({ mode: 'native' })            // half price, up to 24 h
 * const fast = openai({ name: 'openai-sync', rpm: 5000 }) // emulated, paced
 */
export function openai(options: PresetOptions = {}): OpenAICompatibleProvider {
  return openaiCompatible({
    name: 'openai',
    baseURL: presetBaseURLs.openai,
    ...options,
    native: nativeWith({}, options.native),
  })
}

/**
 * Azure OpenAI: `api-key` header (pass `authHeader` for Entra bearer tokens), v1 routes
 * (`https://<resource>.openai.azure.com/openai/v1/…`) by default, or the legacy deployment routes with
 * `?api-version=` when `apiVersion` or `deployment` is given. Native Global Batch available; remember
 * that Azure wants the *Global-Batch deployment name* in every line's `body.model`.
 *
 * @example
 * const azure = azureOpenAI({ resource: 'acme', mode: 'native' })
 * const legacy = azureOpenAI({ endpoint: 'https://acme.openai.azure.com', apiVersion: '2024-10-21', deployment: 'gpt-4o' })
 */
export function azureOpenAI(options: PresetOptions & AzureLocation): OpenAICompatibleProvider {
  const { resource, endpoint, apiVersion, deployment, ...rest } = options
  const location: AzureLocation = {}
  if (resource !== undefined) location.resource = resource
  if (endpoint !== undefined) location.endpoint = endpoint
  if (apiVersion !== undefined) location.apiVersion = apiVersion
  if (deployment !== undefined) location.deployment = deployment
  return buildProvider(
    {
      name: 'azure',
      authHeader: (key) => ({ 'api-key': key }),
      ...rest,
      native: nativeWith({}, rest.native),
    },
    azureUrlScheme(location),
  )
}

/**
 * Groq (`https://api.groq.com/openai/v1`); its Batch API runs `/v1/chat/completions` and does not count
 * against the synchronous rate limits.
 *
 * @example
 * const provider = groq({ mode: 'native' })
 */
export function groq(options: PresetOptions = {}): OpenAICompatibleProvider {
  return openaiCompatible({
    name: 'groq',
    baseURL: presetBaseURLs.groq,
    ...options,
    native: nativeWith({ endpoints: ['/v1/chat/completions'] }, options.native),
  })
}

/**
 * Together AI (`https://api.together.xyz/v1`); its batch API is Together's variant (purpose `batch-api`,
 * `{ job }` answers, upper-case statuses, ISO timestamps).
 *
 * @example
 * const provider = together({ mode: 'native' })
 */
export function together(options: PresetOptions = {}): OpenAICompatibleProvider {
  return openaiCompatible({
    name: 'together',
    baseURL: presetBaseURLs.together,
    ...options,
    native: nativeWith({ flavor: 'together', endpoints: ['/v1/chat/completions'] }, options.native),
  })
}

/**
 * A vLLM server (`vllm serve … --port 8000` → `http://localhost:8000/v1`): emulated only, no key
 * needed unless `apiKey` is given (for `--api-key`).
 *
 * @example
 * const provider = vllm({ baseURL: 'http://gpu-box:8000/v1', concurrency: 64 })
 */
export function vllm(options: PresetOptions & { baseURL: string }): OpenAICompatibleProvider {
  return openaiCompatible({ name: 'vllm', credential: 'none', ...options })
}

/**
 * Ollama's OpenAI-compatible API (default `http://localhost:11434/v1`): emulated only, no key.
 *
 * @example
 * const provider = ollama({ concurrency: 4 })
 */
export function ollama(options: PresetOptions = {}): OpenAICompatibleProvider {
  return openaiCompatible({ name: 'ollama', baseURL: presetBaseURLs.ollama, credential: 'none', ...options })
}
