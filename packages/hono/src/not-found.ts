import { BatchkitError } from '@batchkit/core'

/**
 * OpenAI's answer to a path or method it does not serve: 404 `not_found`, "Invalid URL (METHOD /path)".
 * A wrong method on a known path (e.g. `PUT /v1/batches`) gets the same 404, as on api.openai.com.
 *
 * @example
 * app.all('*', (c) => { throw invalidUrl(c.req.method, c.req.path) })
 */
export function invalidUrl(method: string, path: string): BatchkitError {
  return new BatchkitError(
    'not_found',
    `Invalid URL (${method} ${path.length > 200 ? `${path.slice(0, 200)}…` : path})`,
  )
}
