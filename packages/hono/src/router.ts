import { Hono } from 'hono'
import { authorizeRequests, cachedDefaultAuthorize } from './auth.ts'
import { batchRoutes } from './batch-routes.ts'
import type { BatchRouterEnv } from './env.ts'
import { renderError } from './errors.ts'
import { fileRoutes } from './file-routes.ts'
import { invalidUrl } from './not-found.ts'
import type { BatchRouterOptions } from './options.ts'
import { requestContext } from './request-context.ts'
import { usageRoutes } from './usage-routes.ts'

/**
 * The OpenAI-compatible Files and Batches API of an engine as a Hono sub-app. Mount it where clients
 * expect `/v1`: `app.route('/v1', createBatchRouter({ engine }))`.
 *
 * Routes: `POST /files` (streamed multipart), `GET /files`, `GET /files/:id`, `GET /files/:id/content`
 * (streamed), `DELETE /files/:id`, `POST /batches`, `GET /batches`, `GET /batches/:id`,
 * `POST /batches/:id/cancel`; with `usageRoute: true`, `GET /usage` (the tenant's tokens and cost).
 * Every response carries `x-request-id`; every error is OpenAI's envelope.
 * Any other path or method under the mount point answers 404 `Invalid URL (…)` — so register a host's
 * own routes under the same prefix *before* mounting the router.
 *
 * @example
 * import { Hono } from 'hono'
 * import { createBatchRouter } from '@batchkit/hono'
 *
 * const app = new Hono()
 * app.route('/v1', createBatchRouter({ engine }))
 * export default app
 */
export function createBatchRouter(options: BatchRouterOptions): Hono<BatchRouterEnv> {
  const { logger } = options
  const auth = authorizeRequests(options.authorize ?? cachedDefaultAuthorize())
  const router = new Hono<BatchRouterEnv>()

  router.use('*', requestContext(logger))
  router.onError((error, c) =>
    renderError(
      error,
      {
        requestId: c.var.requestId,
        method: c.req.method,
        path: c.req.path,
        clientGone: () => c.req.raw.signal.aborted,
      },
      logger,
    ),
  )

  router.route('/files', fileRoutes(options.engine, auth, logger))
  router.route('/batches', batchRoutes(options, auth))
  if (options.usageRoute === true) router.route('/usage', usageRoutes(options.engine, auth))
  router.all('*', (c) => {
    throw invalidUrl(c.req.method, c.req.path)
  })
  return router
}
