import { newRequestId } from '@batchkit/core/store'
import { Hono } from 'hono'
import { errorResponse, renderError } from './errors.ts'
import { invalidUrl } from './not-found.ts'
import type { BatchRouterOptions } from './options.ts'
import { createBatchRouter } from './router.ts'

/** Options of {@link createFetchHandler}. */
export interface FetchHandlerOptions extends BatchRouterOptions {
  /** Path the API is served under (default `/v1`); `''` or `/` serves it at the root. */
  basePath?: string
}

/**
 * The batch API as a plain `(request, env?) => Promise<Response>` for hosts without Hono (Workers,
 * Bun.serve, Deno.serve, a Node adapter). Paths outside `basePath` answer the same 404 envelope. `env`
 * reaches `authorize` and `resolveProvider` as `c.env` (a Worker's bindings, a Node adapter's request).
 *
 * @example
 * const handle = createFetchHandler({ engine, basePath: '/v1' })
 * export default { fetch: handle } // Cloudflare Workers / Bun
 */
export function createFetchHandler(
  options: FetchHandlerOptions,
): (request: Request, env?: unknown) => Promise<Response> {
  const basePath = normalizeBasePath(options.basePath ?? '/v1')
  const app = new Hono()
  app.route(basePath, createBatchRouter(options))
  app.notFound((c) => errorResponse(invalidUrl(c.req.method, c.req.path), newRequestId()))
  app.onError((error, c) =>
    renderError(error, { requestId: newRequestId(), method: c.req.method, path: c.req.path }, options.logger),
  )
  return async (request, env) => {
    try {
      return await app.fetch(request, env)
    } catch (error) {
      const url = new URL(request.url)
      return renderError(
        error,
        { requestId: newRequestId(), method: request.method, path: url.pathname },
        options.logger,
      )
    }
  }
}

/** `'v1/'` → `'/v1'`; `''` and `'/'` → `'/'`. */
function normalizeBasePath(path: string): string {
  const trimmed = path.trim().replace(/^\/+|\/+$/g, '')
  return trimmed === '' ? '/' : `/${trimmed}`
}
