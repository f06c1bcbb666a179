import { BatchkitError, type CreateBatchOptions } from '@batchkit/core'
import { zValidator } from '@hono/zod-validator'
import { Hono, type MiddlewareHandler } from 'hono'
import type { BatchRouterEnv } from './env.ts'
import { readJsonObject } from './json-body.ts'
import type { BatchRouterOptions } from './options.ts'
import { batchModeOverride, selectProvider } from './provider-selection.ts'
import { batchListQuery, openAIQueryHook } from './query-schemas.ts'

/** Header de-duplicating retried `POST /batches` (same key, same tenant → the first batch). */
export const idempotencyKeyHeader = 'idempotency-key'

/** Longest idempotency key accepted. */
const maxIdempotencyKeyLength = 256

/**
 * The Batches API routes, relative to `/batches`: create (JSON), retrieve, cancel, list. Every route runs
 * `auth` first; only create selects a provider.
 *
 * @example
 * router.route('/batches', batchRoutes(options, authorizeRequests(defaultAuthorize)))
 */
export function batchRoutes(
  options: BatchRouterOptions,
  auth: MiddlewareHandler<BatchRouterEnv>,
): Hono<BatchRouterEnv> {
  const { engine } = options
  const batches = new Hono<BatchRouterEnv>()

  batches.post('/', auth, async (c) => {
    const body = await readJsonObject(c.req.raw)
    const scope = c.var.scope
    const { provider, credential } = await selectProvider(c, scope, options)
    const create: CreateBatchOptions = { provider, credential }
    const mode = batchModeOverride(c.req.raw.headers, options.allowModeOverride ?? false)
    if (mode !== undefined) create.mode = mode
    const idempotencyKey = idempotencyKeyOf(c.req.raw.headers)
    if (idempotencyKey !== undefined) create.idempotencyKey = idempotencyKey
    return c.json(await engine.batches.create(scope, body, create))
  })

  batches.get('/', auth, zValidator('query', batchListQuery, openAIQueryHook), async (c) => {
    const query = c.req.valid('query')
    return c.json(await engine.batches.list(c.var.scope, listParams(query)))
  })

  batches.get('/:id', auth, async (c) => c.json(await engine.batches.get(c.var.scope, c.req.param('id'))))

  batches.post('/:id/cancel', auth, async (c) =>
    c.json(await engine.batches.cancel(c.var.scope, c.req.param('id'))),
  )

  return batches
}

/** `after`/`limit` without the keys the client left out. */
function listParams(query: { after?: string | undefined; limit?: number | undefined }): {
  after?: string
  limit?: number
} {
  return {
    after: query.after,
    limit: query.limit,
  }
}

/** The `idempotency-key` header; 400 when longer than 256 characters. */
function idempotencyKeyOf(headers: Headers): string | undefined {
  const key = headers.get(idempotencyKeyHeader)?.trim()
  if (key === undefined || key === '') return undefined
  if (key.length > maxIdempotencyKeyLength) {
    throw new BatchkitError(
      'invalid_value',
      `Header '${idempotencyKeyHeader}' is too long (at most ${maxIdempotencyKeyLength} characters).`,
      { param: idempotencyKeyHeader },
    )
  }
  return key
}
