import { BatchkitError, type Logger, type Scope, sha256Hex } from '@batchkit/core'
import { type Context, Hono } from 'hono'
import { describe, expect, it, vi } from 'vitest'
import { fakeEngine } from './__fixtures__/fake-engine.ts'
import { expectError, expectJson, req } from './__fixtures__/http.ts'
import { multipartBody, uploadParts } from './__fixtures__/multipart-body.ts'
import type { BatchRouterOptions } from './options.ts'
import { createBatchRouter } from './router.ts'

/** A host app with the router mounted at /v1, as the README shows. */
function host(options: Partial<BatchRouterOptions> & { providers?: string[] } = {}) {
  const engine = fakeEngine(options.providers ? { providers: options.providers } : {})
  const app = new Hono()
  app.get('/health', (c) => c.text('ok'))
  app.route('/v1', createBatchRouter({ engine, ...options }))
  const fetch = async (request: Request): Promise<Response> => app.request(request)
  return { engine, app, fetch }
}

const boundary = 'test-boundary-1234'
const upload = (token = 'sk-alice', parts = uploadParts()): Request =>
  req('POST', '/v1/files', {
    token,
    headers: { 'content-type': `multipart/form-data; boundary=${boundary}` },
    body: multipartBody(boundary, parts),
  })

describe('auth', () => {
  it('answers 401 missing_api_key without a bearer token, on every route', async () => {
    const { fetch, engine } = host()
    for (const [method, path] of [
      ['GET', '/v1/batches'],
      ['POST', '/v1/batches'],
      ['GET', '/v1/batches/batch_1'],
      ['POST', '/v1/batches/batch_1/cancel'],
      ['GET', '/v1/files'],
      ['POST', '/v1/files'],
      ['GET', '/v1/files/file-1'],
      ['GET', '/v1/files/file-1/content'],
      ['DELETE', '/v1/files/file-1'],
    ] as const) {
      const error = await expectError(
        await fetch(req(method, path, { token: null })),
        401,
        'missing_api_key',
        null,
      )
      expect(error.type).toBe('authentication_error')
    }
    expect(engine.calls).toEqual([])
  })

  it('rejects other schemes and empty tokens', async () => {
    const { fetch } = host()
    const basic = req('GET', '/v1/batches', { token: null, headers: { authorization: 'Basic abc' } })
    await expectError(await fetch(basic), 401, 'missing_api_key')
    const empty = req('GET', '/v1/batches', { token: null, headers: { authorization: 'Bearer   ' } })
    await expectError(await fetch(empty), 401, 'missing_api_key')
  })

  it('scopes by sha-256 of the token, so tenants never see each other', async () => {
    const { fetch, engine } = host()
    const file = await expectJson<{ id: string }>(await fetch(upload('sk-alice')))
    expect(engine.calls.find((c) => c.method === 'files.create')?.ownerId).toBe(await sha256Hex('sk-alice'))
    await expectJson(await fetch(req('GET', `/v1/files/${file.id}`)))
    await expectError(await fetch(req('GET', `/v1/files/${file.id}`, { token: 'sk-bob' })), 404, 'not_found')
    await expectError(
      await fetch(req('DELETE', `/v1/files/${file.id}`, { token: 'sk-bob' })),
      404,
      'not_found',
    )
    const bobs = await expectJson<{ data: unknown[] }>(
      await fetch(req('GET', '/v1/files', { token: 'sk-bob' })),
    )
    expect(bobs.data).toEqual([])
  })

  it('uses a custom authorize, and sends its Response as is (with x-request-id)', async () => {
    const { fetch, engine } = host({
      authorize: (c) =>
        c.req.header('x-tenant')
          ? { ownerId: `t:${c.req.header('x-tenant')}` }
          : new Response('nope', { status: 403 }),
    })
    const denied = await fetch(req('GET', '/v1/batches', { token: null }))
    expect(denied.status).toBe(403)
    expect(await denied.text()).toBe('nope')
    expect(denied.headers.get('x-request-id')).toMatch(/^req_/)
    await expectJson(await fetch(req('GET', '/v1/batches', { token: null, headers: { 'x-tenant': 'acme' } })))
    expect(engine.calls.at(-1)?.ownerId).toBe('t:acme')
  })

  it('renders a BatchkitError thrown by authorize, and 500 for a scope without ownerId', async () => {
    const throwing = host({
      authorize: () => {
        throw new BatchkitError('invalid_api_key', 'Incorrect API key provided.')
      },
    })
    await expectError(await throwing.fetch(req('GET', '/v1/batches')), 401, 'invalid_api_key')
    const broken = host({ authorize: () => ({ ownerId: '' }) })
    await expectError(await broken.fetch(req('GET', '/v1/batches')), 500, 'internal_error')
  })
})

describe('routes', () => {
  it('serves the whole happy path', async () => {
    const { fetch } = host()
    const file = await expectJson<{ id: string; bytes: number; filename: string; purpose: string }>(
      await fetch(upload()),
    )
    expect(file).toMatchObject({ bytes: 18, filename: 'input.jsonl', purpose: 'batch' })
    expect(await expectJson(await fetch(req('GET', `/v1/files/${file.id}`)))).toEqual(file)
    const files = await expectJson<{ object: string; data: { id: string }[]; has_more: boolean }>(
      await fetch(req('GET', '/v1/files?purpose=batch&limit=5&order=asc')),
    )
    expect(files).toMatchObject({ object: 'list', has_more: false, data: [{ id: file.id }] })

    const batch = await expectJson<{ id: string; status: string }>(
      await fetch(
        req('POST', '/v1/batches', {
          json: { input_file_id: file.id, endpoint: '/v1/chat/completions', completion_window: '24h' },
        }),
      ),
    )
    expect(batch.status).toBe('validating')
    expect(await expectJson(await fetch(req('GET', `/v1/batches/${batch.id}`)))).toEqual(batch)
    const list = await expectJson<{ data: { id: string }[] }>(await fetch(req('GET', '/v1/batches?limit=1')))
    expect(list.data.map((b) => b.id)).toEqual([batch.id])
    const cancelled = await expectJson<{ status: string }>(
      await fetch(req('POST', `/v1/batches/${batch.id}/cancel`)),
    )
    expect(cancelled.status).toBe('cancelling')

    expect(await expectJson(await fetch(req('DELETE', `/v1/files/${file.id}`)))).toEqual({
      id: file.id,
      object: 'file',
      deleted: true,
    })
    await expectError(await fetch(req('GET', `/v1/files/${file.id}`)), 404, 'not_found')
  })

  it('streams file content with content-length and octet-stream type', async () => {
    const { fetch } = host()
    const content = `${'{"custom_id":"x"}\n'.repeat(50)}`
    const file = await expectJson<{ id: string }>(await fetch(upload('sk-alice', uploadParts(content))))
    const res = await fetch(req('GET', `/v1/files/${file.id}/content`))
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toBe('application/octet-stream')
    expect(res.headers.get('content-length')).toBe(String(content.length))
    expect(res.headers.get('x-request-id')).toMatch(/^req_/)
    expect(res.body).toBeInstanceOf(ReadableStream)
    expect(await res.text()).toBe(content)
  })

  it('answers HEAD on content without a body', async () => {
    const { fetch } = host()
    const file = await expectJson<{ id: string }>(await fetch(upload()))
    const res = await fetch(req('HEAD', `/v1/files/${file.id}/content`))
    expect(res.status).toBe(200)
    expect(res.headers.get('content-length')).toBe('18')
    expect(await res.text()).toBe('')
  })

  it('passes list parameters through, only those sent', async () => {
    const { fetch, engine } = host()
    await expectJson(
      await fetch(req('GET', '/v1/files?purpose=batch_output&limit=10000&order=desc&after=file-9')),
    )
    expect(engine.calls.at(-1)?.args[0]).toEqual({
      purpose: 'batch_output',
      limit: 10000,
      order: 'desc',
      after: 'file-9',
    })
    await expectJson(await fetch(req('GET', '/v1/files')))
    expect(engine.calls.at(-1)?.args[0]).toEqual({})
    await expectJson(await fetch(req('GET', '/v1/batches?after=batch_1&limit=100&unknown=1')))
    expect(engine.calls.at(-1)?.args[0]).toEqual({ after: 'batch_1', limit: 100 })
    await expectJson(await fetch(req('GET', '/v1/batches')))
    expect(engine.calls.at(-1)?.args[0]).toEqual({})
  })

  it('leaves the host routes alone', async () => {
    const { app } = host()
    const res = await app.request('/health')
    expect(await res.text()).toBe('ok')
    expect(res.headers.get('x-request-id')).toBeNull()
  })
})

describe('provider selection', () => {
  const create = (headers: Record<string, string> = {}, token = 'sk-alice') =>
    req('POST', '/v1/batches', {
      token,
      headers,
      json: { input_file_id: 'file-1', endpoint: '/v1/chat/completions', completion_window: '24h' },
    })

  it("uses the engine's only provider and the bearer token as its key", async () => {
    const { fetch, engine } = host()
    await expectJson(await fetch(create()))
    expect(engine.calls.at(-1)?.args[1]).toEqual({ provider: 'mock', credential: 'sk-alice' })
  })

  it('uses the provider header, and its configurable name', async () => {
    const { fetch, engine } = host({ providers: ['a', 'b'] })
    await expectJson(await fetch(create({ 'x-provider': 'b' })))
    expect(engine.calls.at(-1)?.args[1]).toMatchObject({ provider: 'b' })
    const custom = host({ providers: ['a', 'b'], providerHeader: 'x-llm' })
    await expectJson(await custom.fetch(create({ 'x-llm': 'a' })))
    expect(custom.engine.calls.at(-1)?.args[1]).toMatchObject({ provider: 'a' })
  })

  it('answers 400 missing_required_parameter naming the header when several providers exist', async () => {
    const { fetch } = host({ providers: ['a', 'b'] })
    const error = await expectError(await fetch(create()), 400, 'missing_required_parameter', 'x-provider')
    expect(error.message).toContain("'a', 'b'")
    await expectError(
      await fetch(create({ 'x-provider': '  ' })),
      400,
      'missing_required_parameter',
      'x-provider',
    )
  })

  it('passes unknown providers to the engine, which rejects them', async () => {
    const { fetch } = host({ providers: ['a', 'b'] })
    await expectError(await fetch(create({ 'x-provider': 'nope' })), 400, 'unknown_provider')
  })

  it('lets resolveProvider decide, ignoring the header', async () => {
    const resolveProvider = vi.fn(async (_c: Context, _scope: Scope) => ({
      provider: 'b',
      credential: 'server-key',
    }))
    const { fetch, engine } = host({ providers: ['a', 'b'], resolveProvider })
    await expectJson(await fetch(create({ 'x-provider': 'a' })))
    expect(engine.calls.at(-1)?.args[1]).toEqual({ provider: 'b', credential: 'server-key' })
    expect(resolveProvider.mock.calls[0]?.[1]).toEqual({ ownerId: await sha256Hex('sk-alice') })
  })

  it('passes idempotency-key and, when allowed, x-batch-mode', async () => {
    const allowed = host({ allowModeOverride: true })
    await expectJson(await allowed.fetch(create({ 'idempotency-key': 'k-1', 'x-batch-mode': 'native' })))
    expect(allowed.engine.calls.at(-1)?.args[1]).toEqual({
      provider: 'mock',
      credential: 'sk-alice',
      idempotencyKey: 'k-1',
      mode: 'native',
    })
    await expectError(
      await allowed.fetch(create({ 'x-batch-mode': 'fast' })),
      400,
      'invalid_value',
      'x-batch-mode',
    )
    const denied = host()
    await expectError(
      await denied.fetch(create({ 'x-batch-mode': 'native' })),
      400,
      'invalid_request',
      'x-batch-mode',
    )
    await expectError(
      await denied.fetch(create({ 'idempotency-key': 'k'.repeat(257) })),
      400,
      'invalid_value',
      'idempotency-key',
    )
  })
})

describe('malformed requests', () => {
  const batchesWith = (
    body: BodyInit | null,
    headers: Record<string, string> = { 'content-type': 'application/json' },
  ) => req('POST', '/v1/batches', { body, headers })

  it('rejects bodies that are not JSON objects with 400 invalid_request', async () => {
    const { fetch, engine } = host()
    for (const body of [
      '{"input_file_id":',
      '',
      'null',
      '[]',
      '[{"input_file_id":"f"}]',
      '"text"',
      '42',
      'true',
    ]) {
      const error = await expectError(await fetch(batchesWith(body)), 400, 'invalid_request', null)
      expect(error.type).toBe('invalid_request_error')
    }
    const noBody = await fetch(req('POST', '/v1/batches'))
    expect((await expectError(noBody, 400, 'invalid_request')).message).toMatch(
      /could not parse the JSON body/,
    )
    expect(engine.calls.filter((c) => c.method === 'batches.create')).toEqual([])
  })

  it('caps JSON bodies at 1 MiB: 413 from content-length or while reading', async () => {
    const { fetch, engine } = host()
    const huge = JSON.stringify({ input_file_id: 'x'.repeat(2 * 1024 * 1024) })
    await expectError(await fetch(batchesWith(huge)), 413, 'request_too_large')
    const streamed = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(new TextEncoder().encode(huge))
        controller.close()
      },
    })
    await expectError(await fetch(batchesWith(streamed)), 413, 'request_too_large')
    expect(engine.calls).toEqual([])
  })

  it('passes an object the engine rejects through as its 400', async () => {
    const { fetch } = host()
    await expectError(
      await fetch(batchesWith('{"endpoint":"/v1/chat/completions"}')),
      400,
      'missing_required_parameter',
      'input_file_id',
    )
  })

  it.each([
    ['/v1/batches?limit=0', 'limit'],
    ['/v1/batches?limit=101', 'limit'],
    ['/v1/batches?limit=abc', 'limit'],
    ['/v1/batches?limit=1.5', 'limit'],
    ['/v1/batches?limit=-1', 'limit'],
    ['/v1/batches?limit=', 'limit'],
    ['/v1/batches?limit=1&limit=2', 'limit'],
    ['/v1/batches?after=', 'after'],
    [`/v1/batches?after=${'b'.repeat(300)}`, 'after'],
    ['/v1/files?limit=10001', 'limit'],
    ['/v1/files?limit=0', 'limit'],
    ['/v1/files?order=up', 'order'],
    ['/v1/files?order=ASC', 'order'],
    ['/v1/files?purpose=nope', 'purpose'],
    ['/v1/files?after=', 'after'],
  ])('rejects %s with 400 invalid_value param %s', async (path, param) => {
    const { fetch, engine } = host()
    const error = await expectError(await fetch(req('GET', path)), 400, 'invalid_value', param)
    expect(error.message).toContain(`'${param}'`)
    expect(engine.calls).toEqual([])
  })

  it('answers unknown paths and wrong methods with 404 "Invalid URL" envelopes', async () => {
    const { fetch } = host()
    for (const [method, path] of [
      ['GET', '/v1/nope'],
      ['GET', '/v1'],
      ['GET', '/v1/files/file-1/content/extra'],
      ['GET', '/v1/batches/batch_1/cancel'],
      ['PUT', '/v1/batches'],
      ['DELETE', '/v1/batches/batch_1'],
      ['PATCH', '/v1/files/file-1'],
      ['POST', '/v1/files/file-1'],
    ] as const) {
      const error = await expectError(await fetch(req(method, path)), 404, 'not_found', null)
      expect(error.message).toBe(`Invalid URL (${method} ${path})`)
    }
    const unauthenticated = await fetch(req('GET', '/v1/nope', { token: null }))
    await expectError(unauthenticated, 404, 'not_found')
  })

  it('renders not-found ids from the engine', async () => {
    const { fetch } = host()
    await expectError(await fetch(req('GET', '/v1/batches/batch_missing')), 404, 'not_found')
    await expectError(await fetch(req('POST', '/v1/batches/batch_missing/cancel')), 404, 'not_found')
    await expectError(await fetch(req('GET', '/v1/files/file-missing/content')), 404, 'not_found')
  })
})

describe('errors', () => {
  it('adds x-should-retry: false to 409', async () => {
    const { fetch, engine } = host()
    engine.failNext(
      'batches.cancel',
      new BatchkitError('batch_not_cancellable', "Cannot cancel a batch with status 'completed'."),
    )
    const res = await fetch(req('POST', '/v1/batches/batch_1/cancel'))
    expect(res.headers.get('x-should-retry')).toBe('false')
    const error = await expectError(res, 409, 'batch_not_cancellable', null)
    expect(error.type).toBe('invalid_request_error')
  })

  it('adds retry-after to 429 when the error has one', async () => {
    const { fetch, engine } = host()
    engine.failNext(
      'batches.list',
      new BatchkitError('rate_limit_exceeded', 'Slow down.', { retryAfter: 2.5 }),
    )
    const res = await fetch(req('GET', '/v1/batches'))
    expect(res.headers.get('retry-after')).toBe('3')
    expect(res.headers.get('x-should-retry')).toBeNull()
    expect((await expectError(res, 429, 'rate_limit_exceeded')).type).toBe('rate_limit_error')
  })

  it('turns unknown errors into the generic 500 and logs the cause, never the credentials', async () => {
    const logger = { error: vi.fn(), debug: vi.fn() } satisfies Logger
    const { fetch, engine } = host({ logger })
    const cause = new Error('database exploded at /secret/path')
    engine.failNext('batches.get', cause)
    const res = await fetch(req('GET', '/v1/batches/batch_1', { token: 'sk-very-secret' }))
    const error = await expectError(res, 500, 'internal_error', null)
    expect(error).toEqual({
      message: 'The server had an error while processing your request.',
      type: 'server_error',
      param: null,
      code: 'internal_error',
    })
    expect(logger.error).toHaveBeenCalledTimes(1)
    const [message, fields] = logger.error.mock.calls[0] as [string, Record<string, unknown>]
    expect(message).toMatch(/request failed/)
    expect(fields).toMatchObject({ status: 500, method: 'GET', path: '/v1/batches/batch_1', error: cause })
    expect(fields.requestId).toBe(res.headers.get('x-request-id'))
    expect(JSON.stringify([logger.error.mock.calls, logger.debug.mock.calls])).not.toContain('sk-very-secret')
  })

  it('renders values thrown that are not Errors as 500', async () => {
    const { fetch, engine } = host()
    engine.failNext('files.list', 'a string')
    await expectError(await fetch(req('GET', '/v1/files')), 500, 'internal_error')
    engine.failNext('files.get', undefined)
    await expectError(await fetch(req('GET', '/v1/files/file-1')), 500, 'internal_error')
  })

  it('logs 4xx at debug only, without headers', async () => {
    const logger = { error: vi.fn(), debug: vi.fn() } satisfies Logger
    const { fetch } = host({ logger })
    await expectError(
      await fetch(req('GET', '/v1/batches/batch_x', { token: 'sk-very-secret' })),
      404,
      'not_found',
    )
    expect(logger.error).not.toHaveBeenCalled()
    expect(logger.debug).toHaveBeenCalledTimes(1)
    expect(JSON.stringify(logger.debug.mock.calls)).not.toContain('sk-very-secret')
  })

  it('gives every response its own x-request-id', async () => {
    const { fetch } = host()
    const ids = new Set<string | null>()
    for (const request of [
      req('GET', '/v1/batches'),
      req('GET', '/v1/batches', { token: null }),
      req('GET', '/v1/x'),
    ]) {
      const res = await fetch(request)
      ids.add(res.headers.get('x-request-id'))
    }
    expect(ids.size).toBe(3)
    const sent = await fetch(req('GET', '/v1/batches', { headers: { 'x-request-id': 'client-id' } }))
    expect(sent.headers.get('x-request-id')).not.toBe('client-id')
  })
})
