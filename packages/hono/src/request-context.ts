import type { Logger } from '@batchkit/core'
import type { MiddlewareHandler } from 'hono'
import type { BatchRouterEnv } from './env.ts'
import { renderError } from './errors.ts'
import { requestIds } from './request-ids.ts'

/**
 * First middleware of the router: gives the request a fresh id (`c.var.requestId`), stamps it as
 * `x-request-id` on whatever response leaves (success, error, 404, a host's `authorize` response) and
 * catches what Hono's `onError` does not (values thrown that are not `Error`s).
 *
 * @example
 * app.use('*', requestContext(logger))
 */
export function requestContext(logger: Logger | undefined): MiddlewareHandler<BatchRouterEnv> {
  const nextRequestId = requestIds()
  return async (c, next) => {
    const requestId = nextRequestId()
    c.set('requestId', requestId)
    try {
      await next()
    } catch (thrown) {
      c.res = renderError(
        thrown,
        { requestId, method: c.req.method, path: c.req.path, clientGone: () => c.req.raw.signal.aborted },
        logger,
      )
    }
    stampRequestId(c.res, requestId, (res) => {
      c.res = res
    })
  }
}

/** Sets `x-request-id` on `res`, copying it first when its headers are immutable. */
function stampRequestId(res: Response, requestId: string, replace: (res: Response) => void): void {
  try {
    res.headers.set('x-request-id', requestId)
  } catch {
    const copy = new Response(res.body, res)
    copy.headers.set('x-request-id', requestId)
    replace(copy)
  }
}
