import type { Scope } from '@batchkit/core'

/**
 * Hono environment of the batch router: the request id every response echoes and, on authenticated
 * routes, the caller's scope.
 *
 * @example
 * const app = new Hono<BatchRouterEnv>()
 * app.get('/x', (c) => c.text(c.var.requestId))
 */
export interface BatchRouterEnv {
  Variables: {
    requestId: string
    scope: Scope
  }
}
