import { BatchkitError, type Scope, sha256Hex } from '@batchkit/core'
import type { Context, MiddlewareHandler } from 'hono'
import type { BatchRouterEnv } from './env.ts'

/** Produces the tenant scope of a request, or a `Response` that rejects it. */
export type Authorize = (c: Context) => Scope | Response | Promise<Scope | Response>

/**
 * The bearer token of `Authorization: Bearer <token>`, or `null` when the header is absent, uses another
 * scheme or carries an empty token.
 *
 * @example
 * bearerToken(new Headers({ authorization: 'Bearer sk-1' })) // 'sk-1'
 */
export function bearerToken(headers: Headers): string | null {
  const match = /^\s*bearer\s+(.+?)\s*$/i.exec(headers.get('authorization') ?? '')
  return match?.[1] ?? null
}

/**
 * The default `authorize`: each bearer key is its own tenant, `{ ownerId: hex(sha256(key)) }` — as on
 * OpenAI, a key sees only what it created. Without a bearer key: 401 `missing_api_key`.
 *
 * @example
 * createBatchRouter({ engine, authorize: defaultAuthorize }) // same as leaving `authorize` out
 */
export async function defaultAuthorize(c: Context): Promise<Scope> {
  const token = bearerToken(c.req.raw.headers)
  if (token === null) {
    throw new BatchkitError(
      'missing_api_key',
      "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY).",
    )
  }
  return { ownerId: await sha256Hex(token) }
}

/** Most keys whose owner id one router remembers (see {@link cachedDefaultAuthorize}). */
const ownerCacheSize = 1_024

/**
 * {@link defaultAuthorize} with the owner ids of recently seen keys remembered, so a busy router hashes
 * each key once rather than on every request (hashing was a fifth of the CPU of `GET /batches/:id` under
 * load). The cache belongs to the returned function (one per router) and holds at most 1,024 keys, the
 * least recently used dropped first; it keeps keys the process receives anyway, never writes them out.
 *
 * @example
 * createBatchRouter({ engine, authorize: cachedDefaultAuthorize() }) // what leaving `authorize` out does
 */
export function cachedDefaultAuthorize(): Authorize {
  const owners = new Map<string, string>()
  return async (c) => {
    const token = bearerToken(c.req.raw.headers)
    if (token === null) return defaultAuthorize(c)
    let ownerId = owners.get(token)
    if (ownerId === undefined) {
      ownerId = await sha256Hex(token)
      if (owners.size >= ownerCacheSize) owners.delete(owners.keys().next().value!)
    } else owners.delete(token)
    owners.set(token, ownerId)
    return { ownerId }
  }
}

/**
 * Middleware that runs `authorize` and stores the scope in `c.var.scope`; a `Response` from `authorize`
 * is sent as is. A scope without a non-empty `ownerId` is a host bug and answers 500.
 *
 * @example
 * app.get('/files', authorizeRequests(defaultAuthorize), (c) => c.json(c.var.scope))
 */
export function authorizeRequests(authorize: Authorize): MiddlewareHandler<BatchRouterEnv> {
  return async (c, next) => {
    const result = await authorize(c)
    if (result instanceof Response) return result
    if (typeof result?.ownerId !== 'string' || result.ownerId === '') {
      throw new Error('authorize() returned no scope with a non-empty ownerId')
    }
    c.set('scope', result)
    await next()
  }
}
