import { type BatchEngine, type FileListParams, type Logger, withLogFields } from '@batchkit/core'
import { zValidator } from '@hono/zod-validator'
import { Hono, type MiddlewareHandler } from 'hono'
import type { BatchRouterEnv } from './env.ts'
import { fileListQuery, openAIQueryHook } from './query-schemas.ts'
import { uploadFile } from './upload.ts'

/**
 * The Files API routes, relative to `/files`: upload (streamed multipart), list, retrieve, content
 * (streamed) and delete. Every route runs `auth` first.
 *
 * @example
 * router.route('/files', fileRoutes(engine, authorizeRequests(defaultAuthorize)))
 */
export function fileRoutes(
  engine: BatchEngine,
  auth: MiddlewareHandler<BatchRouterEnv>,
  logger?: Logger,
): Hono<BatchRouterEnv> {
  const files = new Hono<BatchRouterEnv>()

  files.post('/', auth, async (c) => {
    const log = logger && withLogFields(logger, { requestId: c.var.requestId })
    return c.json(await uploadFile(c.req.raw, engine, c.var.scope, log))
  })

  files.get('/', auth, zValidator('query', fileListQuery, openAIQueryHook), async (c) => {
    const query = c.req.valid('query')
    const params: FileListParams = {}
    if (query.purpose !== undefined) params.purpose = query.purpose
    if (query.limit !== undefined) params.limit = query.limit
    if (query.order !== undefined) params.order = query.order
    if (query.after !== undefined) params.after = query.after
    return c.json(await engine.files.list(c.var.scope, params))
  })

  files.get('/:id', auth, async (c) => c.json(await engine.files.get(c.var.scope, c.req.param('id'))))

  files.get('/:id/content', auth, async (c) => {
    const { file, body } = await engine.files.content(c.var.scope, c.req.param('id'))
    const headers = {
      'content-type': 'application/octet-stream',
      'content-length': String(file.bytes),
    }
    if (c.req.raw.method === 'HEAD') {
      await body.cancel().catch(() => undefined)
      return c.body(null, 200, headers)
    }
    return c.body(body, 200, headers)
  })

  files.delete('/:id', auth, async (c) => c.json(await engine.files.delete(c.var.scope, c.req.param('id'))))

  return files
}
