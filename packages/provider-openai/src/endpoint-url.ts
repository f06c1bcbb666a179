/**
 * The URL of a batch endpoint under an API base that already ends in the version path:
 * the endpoint's leading `/v1` is dropped.
 *
 * @example
 * endpointUrl('https://api.openai.com/v1/', '/v1/chat/completions') // 'https://api.openai.com/v1/chat/completions'
 * endpointUrl('http://localhost:8000/v1', '/v1/embeddings')        // 'http://localhost:8000/v1/embeddings'
 */
export function endpointUrl(baseURL: string, endpoint: string): string {
  const base = baseURL.replace(/\/+$/, '')
  const path = endpoint.startsWith('/v1/')
    ? endpoint.slice(3)
    : endpoint.startsWith('/')
      ? endpoint
      : `/${endpoint}`
  return base + path
}
