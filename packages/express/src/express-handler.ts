import type { IncomingMessage, ServerResponse } from 'node:http'
import type { Scope } from '@batchkit/core'
import { createFetchHandler, type FetchHandlerOptions, type ProviderSelection } from '@batchkit/hono'
import { getRequestListener } from '@hono/node-server'
import type { Context } from 'hono'
import { restoreBody } from './parsed-body.ts'

/** The Node request of an Express app, as far as batchkit reads it (Express's `req`). */
export type ExpressRequest = IncomingMessage & {
  originalUrl: string
  baseUrl: string
  body?: unknown
}

/** What a Node adapter hands the fetch handler as `c.env`. */
interface NodeBindings {
  incoming: ExpressRequest
  outgoing: ServerResponse
}

/** Options of {@link batchkitExpress}: the router's, with `authorize` and `resolveProvider` on Express's `req`. */
export interface ExpressBatchkitOptions<Req extends ExpressRequest = ExpressRequest>
  extends Omit<FetchHandlerOptions, 'authorize' | 'resolveProvider' | 'basePath'> {
  /**
   * The tenant of a request, from what the app's own middleware put on `req` (e.g. `req.user`); return a
   * `Response` to reject it. Default: each bearer key is its own tenant (as on OpenAI).
   */
  authorize?: (req: Req) => Scope | Response | Promise<Scope | Response>
  /** Picks the provider and its key server-side for `POST /batches` (e.g. from the tenant's settings). */
  resolveProvider?: (req: Req, scope: Scope) => ProviderSelection | Promise<ProviderSelection>
}

/** An Express (or plain Node) request handler. */
export type ExpressHandler = (
  req: ExpressRequest,
  res: ServerResponse,
  next?: (error?: unknown) => void,
) => void

/**
 * batchkit's Files and Batches API as Express middleware, mounted wherever the app mounts it:
 *
 * - the mount path Express strips from `req.url` is put back (errors and ids name the full path);
 * - a body an app-wide parser already read (`express.json()`, `express.urlencoded()`, `express.raw()`)
 *   is handed on as it was parsed; uploads, which those parsers leave alone, stream untouched with
 *   backpressure;
 * - `authorize` and `resolveProvider` get Express's `req`, with whatever the app's auth put on it;
 * - answers stream back (file downloads with `content-length`), and a client that hangs up cancels
 *   the work for its request.
 *
 * @example
 * const app = express()
 * app.use(express.json())
 * app.use(myAuth) // sets req.user
 * app.use('/v1', batchkitExpress({ engine, authorize: (req) => ({ ownerId: req.user.id }) }))
 */
export function batchkitExpress<Req extends ExpressRequest = ExpressRequest>(
  options: ExpressBatchkitOptions<Req>,
): ExpressHandler {
  const { authorize, resolveProvider, ...rest } = options
  const nodeRequest = (c: Context): Req => (c.env as NodeBindings).incoming as Req
  /** One listener per mount path (an app may mount the handler at several). */
  const listeners = new Map<string, ReturnType<typeof getRequestListener>>()
  const listenerFor = (basePath: string): ReturnType<typeof getRequestListener> => {
    let listener = listeners.get(basePath)
    if (!listener) {
      const handle = createFetchHandler({
        ...rest,
        basePath,
        ...(authorize ? { authorize: (c: Context) => authorize(nodeRequest(c)) } : {}),
        ...(resolveProvider
          ? { resolveProvider: (c: Context, scope: Scope) => resolveProvider(nodeRequest(c), scope) }
          : {}),
      })
      listener = getRequestListener((request, env) => handle(request, env), { overrideGlobalObjects: false })
      listeners.set(basePath, listener)
    }
    return listener
  }
  return (req, res, next) => {
    try {
      const listener = listenerFor(req.baseUrl || '/')
      // Express strips the mount path from `req.url`; batchkit answers for the full path.
      req.url = req.originalUrl
      restoreBody(req)
      void listener(req, res)
    } catch (error) {
      if (next) next(error)
      else throw error
    }
  }
}
