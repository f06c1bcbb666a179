import { renderBatch, renderFile } from './native-render.ts'
import type { FakeNativeStore } from './native-store.ts'

/** An answer of the fake's Files/Batches API. */
export interface NativeAnswer {
  status: number
  body: string | Buffer
  contentType?: string
  headers?: Record<string, string>
}

/** A request to the fake's Files/Batches API, body already read. */
export interface NativeRequest {
  method: string
  path: string
  query: URLSearchParams
  contentType: string
  contentLength: number | null
  body: Buffer
}

const json = (status: number, value: unknown, headers?: Record<string, string>): NativeAnswer => ({
  status,
  body: JSON.stringify(value),
  ...(headers ? { headers } : {}),
})

const error = (status: number, message: string, code: string | null = null, param: string | null = null) =>
  json(status, { error: { message, type: 'invalid_request_error', param, code } })

/** Whether `path` belongs to the Files/Batches API. */
export const isNativePath = (path: string): boolean =>
  path === '/v1/files' ||
  path.startsWith('/v1/files/') ||
  path === '/v1/batches' ||
  path.startsWith('/v1/batches/')

async function upload(store: FakeNativeStore, request: NativeRequest): Promise<NativeAnswer> {
  if (!request.contentType.startsWith('multipart/form-data')) {
    return error(400, 'Uploads must be multipart/form-data.', 'invalid_request')
  }
  let form: FormData
  try {
    form = await new Response(new Uint8Array(request.body), {
      headers: { 'content-type': request.contentType },
    }).formData()
  } catch {
    return error(400, 'Could not parse the multipart body.', 'invalid_request')
  }
  const file = form.get('file')
  const purpose = form.get('purpose')
  if (typeof file === 'string' || file === null)
    return error(400, "Missing required parameter: 'file'.", null, 'file')
  if (typeof purpose !== 'string')
    return error(400, "Missing required parameter: 'purpose'.", null, 'purpose')
  const named = form.get('file_name')
  const filename = typeof named === 'string' && named ? named : file.name
  const content = Buffer.from(await file.arrayBuffer())
  const stored = store.addFile(filename, purpose, content, request.contentLength)
  return json(200, renderFile(stored))
}

function files(
  store: FakeNativeStore,
  request: NativeRequest,
  rest: string[],
): Promise<NativeAnswer> | NativeAnswer {
  const { method } = request
  if (method === 'POST' && (rest.length === 0 || (rest.length === 1 && rest[0] === 'upload')))
    return upload(store, request)
  if (method === 'GET' && rest.length === 0) {
    return json(200, {
      object: 'list',
      data: [...store.storedFiles.values()].map(renderFile),
      has_more: false,
    })
  }
  const file = rest[0] ? store.storedFiles.get(decodeURIComponent(rest[0])) : undefined
  if (!file) return error(404, `No such File object: ${rest[0] ?? ''}`, null, 'id')
  if (method === 'GET' && rest.length === 1) return json(200, renderFile(file))
  if (method === 'GET' && rest[1] === 'content') {
    return { status: 200, body: file.content, contentType: 'application/octet-stream' }
  }
  if (method === 'DELETE' && rest.length === 1) {
    store.storedFiles.delete(file.id)
    return json(200, { id: file.id, object: 'file', deleted: true })
  }
  return error(404, `Invalid URL (${method} ${request.path})`)
}

function batches(store: FakeNativeStore, request: NativeRequest, rest: string[]): NativeAnswer {
  const flavor = store.options.flavor ?? 'openai'
  const { method } = request
  if (method === 'POST' && rest.length === 0) {
    let body: Record<string, unknown>
    try {
      body = JSON.parse(request.body.toString('utf8')) as Record<string, unknown>
    } catch {
      return error(400, 'We could not parse the JSON body of your request.')
    }
    const window = body.completion_window ?? (flavor === 'together' ? '24h' : undefined)
    if (typeof body.input_file_id !== 'string')
      return error(400, "Missing required parameter: 'input_file_id'.", null, 'input_file_id')
    if (typeof body.endpoint !== 'string')
      return error(400, "Missing required parameter: 'endpoint'.", null, 'endpoint')
    if (window !== '24h')
      return error(
        400,
        `Invalid value for completion_window: '${String(window)}'.`,
        'invalid_value',
        'completion_window',
      )
    const metadata =
      typeof body.metadata === 'object' && body.metadata !== null
        ? (body.metadata as Record<string, string>)
        : null
    const batch = store.create(body.input_file_id, body.endpoint, window, metadata)
    const rendered = renderBatch(batch, flavor)
    return json(200, flavor === 'together' ? { job: rendered, warning: null } : rendered)
  }
  if (method === 'GET' && rest.length === 0) {
    const all = [...store.storedBatches.values()].reverse()
    for (const batch of all) store.tick(batch)
    if (flavor === 'together')
      return json(
        200,
        all.map((b) => renderBatch(b, flavor)),
      )
    const after = request.query.get('after')
    const limit = Math.min(100, Math.max(1, Number(request.query.get('limit') ?? 20) || 20))
    const start = after ? all.findIndex((b) => b.id === after) + 1 : 0
    const page = all.slice(start, start + limit)
    return json(200, {
      object: 'list',
      data: page.map((b) => renderBatch(b, flavor)),
      first_id: page[0]?.id ?? null,
      last_id: page.at(-1)?.id ?? null,
      has_more: start + limit < all.length,
    })
  }
  const batch = rest[0] ? store.storedBatches.get(decodeURIComponent(rest[0])) : undefined
  if (!batch) return error(404, `No batch found with id '${rest[0] ?? ''}'.`, null, 'batch_id')
  if (method === 'GET' && rest.length === 1) {
    store.tick(batch)
    return json(200, renderBatch(batch, flavor))
  }
  if (method === 'POST' && rest[1] === 'cancel' && rest.length === 2) {
    if (!store.cancel(batch)) {
      return json(
        409,
        {
          error: {
            message: `Cannot cancel a batch with status '${batch.status}'.`,
            type: 'invalid_request_error',
            param: null,
            code: null,
          },
        },
        { 'x-should-retry': 'false' },
      )
    }
    return json(200, renderBatch(batch, flavor))
  }
  return error(404, `Invalid URL (${method} ${request.path})`)
}

/**
 * Answers the fake's Files + Batches API (native mode): multipart uploads (read into memory), file
 * retrieve/list/content/delete, batch create/retrieve/list/cancel in the configured flavour.
 *
 * @example
 * if (isNativePath(path)) reply(await handleNative(store, request))
 */
export function handleNative(
  store: FakeNativeStore,
  request: NativeRequest,
): Promise<NativeAnswer> | NativeAnswer {
  const parts = request.path.split('/').filter(Boolean).slice(1)
  const [resource, ...rest] = parts
  return resource === 'files' ? files(store, request, rest) : batches(store, request, rest)
}
