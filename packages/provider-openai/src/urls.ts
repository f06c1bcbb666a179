import { endpointUrl } from './endpoint-url.ts'

/** Where an OpenAI-compatible API lives: the URL of each line's endpoint and of the Files/Batches paths. */
export interface UrlScheme {
  /** URL a request line is POSTed to (`endpoint` like `/v1/chat/completions`). */
  lineUrl(endpoint: string, body: Record<string, unknown>): string
  /** URL of an API path like `/files` or `/batches/batch_1/cancel`, with optional query parameters. */
  apiUrl(path: string, query?: Record<string, string>): string
}

function withQuery(url: string, query: Record<string, string> | undefined): string {
  const entries = Object.entries(query ?? {})
  if (entries.length === 0) return url
  return `${url}${url.includes('?') ? '&' : '?'}${new URLSearchParams(entries).toString()}`
}

/**
 * Paths under one API base that already ends in the version (`…/v1`), as OpenAI, Groq, Together, vLLM,
 * Ollama and Azure's v1 API use.
 *
 * @example
 * baseUrlScheme('https://api.groq.com/openai/v1').apiUrl('/batches') // 'https://api.groq.com/openai/v1/batches'
 */
export function baseUrlScheme(baseURL: string): UrlScheme {
  const base = baseURL.replace(/\/+$/, '')
  // Line URLs depend on the endpoint only: worked out once per endpoint, not once per line.
  const lineUrls = new Map<string, string>()
  return {
    lineUrl: (endpoint) => {
      let url = lineUrls.get(endpoint)
      if (url === undefined) {
        url = endpointUrl(base, endpoint)
        if (lineUrls.size < 64) lineUrls.set(endpoint, url)
      }
      return url
    },
    apiUrl: (path, query) => withQuery(endpointUrl(base, path), query),
  }
}

/** Where an Azure OpenAI resource lives. */
export interface AzureLocation {
  /** Resource name: `https://<resource>.openai.azure.com`. */
  resource?: string
  /** Full endpoint instead of `resource`, e.g. `https://my-res.openai.azure.com` or a proxy. */
  endpoint?: string
  /** Legacy data-plane API version (`2024-10-21`); omit it (and `deployment`) for the v1 API. */
  apiVersion?: string
  /** Deployment every line runs on (legacy routes); default: each line's `body.model`. */
  deployment?: string
}

/** Azure's legacy GA API version, used when a deployment is named without a version. */
export const azureDefaultApiVersion = '2024-10-21'

/**
 * Azure OpenAI URLs. Without `apiVersion` and `deployment`: the v1 API,
 * `https://<res>.openai.azure.com/openai/v1/chat/completions` (the deployment name goes in `body.model`).
 * Otherwise the legacy routes with `?api-version=`: lines to
 * `/openai/deployments/<deployment>/chat/completions`, files and batches to `/openai/files|batches`.
 *
 * @example
 * azureUrlScheme({ resource: 'acme', apiVersion: '2024-10-21' }).lineUrl('/v1/chat/completions', { model: 'gpt4o' })
 * // 'https://acme.openai.azure.com/openai/deployments/gpt4o/chat/completions?api-version=2024-10-21'
 */
export function azureUrlScheme(location: AzureLocation): UrlScheme {
  const root = (location.endpoint ?? `https://${location.resource ?? ''}.openai.azure.com`).replace(
    /\/+$/,
    '',
  )
  if (!location.endpoint && !location.resource) {
    throw new Error('batchkit: azureOpenAI needs a `resource` or an `endpoint`.')
  }
  if (location.apiVersion === undefined && location.deployment === undefined) {
    return baseUrlScheme(`${root}/openai/v1`)
  }
  const version = { 'api-version': location.apiVersion ?? azureDefaultApiVersion }
  const api = `${root}/openai`
  return {
    lineUrl(endpoint, body) {
      const model = location.deployment ?? (typeof body.model === 'string' ? body.model : '')
      return withQuery(endpointUrl(`${api}/deployments/${encodeURIComponent(model)}`, endpoint), version)
    },
    apiUrl: (path, query) => withQuery(endpointUrl(api, path), { ...version, ...query }),
  }
}
