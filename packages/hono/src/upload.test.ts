import { BatchkitError } from '@batchkit/core'
import { Hono } from 'hono'
import { describe, expect, it } from 'vitest'
import { type FakeEngine, fakeEngine } from './__fixtures__/fake-engine.ts'
import { expectError, expectJson, req } from './__fixtures__/http.ts'
import { multipartBody, type RawPart, uploadParts } from './__fixtures__/multipart-body.ts'
import { createBatchRouter } from './router.ts'

const boundary = '----batchkit-test-7MA4YWxkTrZu0gW'
const multipartType = `multipart/form-data; boundary=${boundary}`

function setup(engine: FakeEngine = fakeEngine()) {
  const app = new Hono()
  app.route('/v1', createBatchRouter({ engine }))
  return { engine, fetch: async (request: Request): Promise<Response> => app.request(request) }
}

const post = (
  body: BodyInit | null,
  contentType: string | null = multipartType,
  headers: Record<string, string> = {},
) =>
  req('POST', '/v1/files', {
    body,
    headers: contentType === null ? headers : { 'content-type': contentType, ...headers },
  })

const postParts = (parts: RawPart[], options: { end?: boolean } = {}) =>
  post(multipartBody(boundary, parts, options))

/** A request body stream that yields `chunks` one per pull and records how far it was read. */
function trackedStream(chunks: Uint8Array[]): { stream: ReadableStream<Uint8Array>; pulled: () => number } {
  let index = 0
  let bytes = 0
  const stream = new ReadableStream<Uint8Array>(
    {
      pull(controller) {
        const chunk = chunks[index++]
        if (chunk === undefined) return controller.close()
        bytes += chunk.byteLength
        controller.enqueue(chunk)
      },
    },
    { highWaterMark: 0 },
  )
  return { stream, pulled: () => bytes }
}

/** Splits bytes into chunks of `size`. */
function chunked(bytes: Uint8Array, size: number): Uint8Array[] {
  const out: Uint8Array[] = []
  for (let i = 0; i < bytes.byteLength; i += size) out.push(bytes.slice(i, i + size))
  return out
}

const receives = (engine: FakeEngine) => engine.calls.filter((c) => c.method === 'files.receive')
const creates = (engine: FakeEngine) => engine.calls.filter((c) => c.method === 'files.create')

describe('POST /files happy paths', () => {
  it('accepts a FormData upload as fetch encodes it (what the openai SDK sends)', async () => {
    const { fetch, engine } = setup()
    const form = new FormData()
    form.append('file', new File(['{"custom_id":"1"}\n'], 'requests.jsonl', { type: 'application/jsonl' }))
    form.append('purpose', 'batch')
    form.append('expires_after[anchor]', 'created_at')
    form.append('expires_after[seconds]', '3600')
    const file = await expectJson<{ id: string; bytes: number; filename: string }>(
      await fetch(req('POST', '/v1/files', { body: form })),
    )
    expect(file).toMatchObject({ bytes: 18, filename: 'requests.jsonl' })
    expect(receives(engine)[0]?.args).toEqual([undefined]) // file came before purpose
    expect(creates(engine)[0]?.args[0]).toEqual({
      filename: 'requests.jsonl',
      purpose: 'batch',
      expiresAfter: { anchor: 'created_at', seconds: '3600' },
    })
  })

  it('passes the purpose to receive when it comes before the file', async () => {
    const { fetch, engine } = setup()
    const parts = uploadParts()
    await expectJson(await fetch(postParts([parts[1]!, parts[0]!])))
    expect(receives(engine)[0]?.args).toEqual(['batch'])
  })

  it('accepts the dot form of expires_after and ignores unknown fields', async () => {
    const { fetch, engine } = setup()
    await expectJson(
      await fetch(
        postParts([
          ...uploadParts(),
          { name: 'expires_after.anchor', data: 'created_at' },
          { name: 'expires_after.seconds', data: '7200' },
          { name: 'user', data: 'someone' },
        ]),
      ),
    )
    expect(creates(engine)[0]?.args[0]).toMatchObject({
      expiresAfter: { anchor: 'created_at', seconds: '7200' },
    })
  })

  it('keeps binary content byte for byte, across tiny request chunks', async () => {
    const { fetch } = setup()
    const content = new Uint8Array(5000).map((_, i) => (i * 7) % 256)
    const body = multipartBody(boundary, [
      { name: 'file', filename: 'x.jsonl', data: content },
      { name: 'purpose', data: 'batch' },
    ])
    const { stream } = trackedStream(chunked(body, 7))
    const file = await expectJson<{ id: string; bytes: number }>(await fetch(post(stream)))
    expect(file.bytes).toBe(5000)
    const res = await fetch(req('GET', `/v1/files/${file.id}/content`))
    expect(new Uint8Array(await res.arrayBuffer())).toEqual(content)
  })

  it('knows a purpose sent first even when the body arrives in tiny chunks', async () => {
    const { fetch, engine } = setup()
    const [file, purpose] = uploadParts('z'.repeat(3000))
    const { stream } = trackedStream(chunked(multipartBody(boundary, [purpose!, file!]), 5))
    await expectJson(await fetch(post(stream)))
    expect(receives(engine)[0]?.args).toEqual(['batch'])
  })

  it('uses "file" as filename when the part has none', async () => {
    const { fetch, engine } = setup()
    await expectJson(
      await fetch(
        postParts([
          { name: 'file', data: 'abc' },
          { name: 'purpose', data: 'user_data' },
        ]),
      ),
    )
    expect(creates(engine)[0]?.args[0]).toMatchObject({ filename: 'file' })
  })
})

describe('POST /files malformed bodies', () => {
  it('rejects a request that is not multipart/form-data', async () => {
    const { fetch, engine } = setup()
    for (const type of ['application/json', 'multipart/mixed; boundary=x', 'text/plain', null]) {
      const error = await expectError(await fetch(post('{}', type)), 400, 'invalid_request', null)
      expect(error.message).toMatch(/^Expected multipart\/form-data/)
    }
    expect(engine.calls).toEqual([])
  })

  it('rejects a multipart content type without a boundary', async () => {
    const { fetch } = setup()
    const error = await expectError(
      await fetch(post(multipartBody(boundary, uploadParts()), 'multipart/form-data')),
      400,
      'invalid_request',
    )
    expect(error.message).toMatch(/boundary/)
  })

  it('rejects an empty body', async () => {
    const { fetch } = setup()
    await expectError(await fetch(post(null)), 400, 'invalid_request')
    await expectError(await fetch(post(new Uint8Array())), 400, 'invalid_request')
  })

  it('rejects a body that does not start with the boundary', async () => {
    const { fetch } = setup()
    await expectError(
      await fetch(post('this is not multipart at all, just text that goes on')),
      400,
      'invalid_request',
    )
    await expectError(
      await fetch(post(multipartBody('other-boundary-value-xx', uploadParts()))),
      400,
      'invalid_request',
    )
  })

  it('rejects a truncated body and discards or never stores the partial file', async () => {
    const { fetch, engine } = setup()
    const full = multipartBody(boundary, uploadParts('x'.repeat(10_000)))
    for (const cut of [30, 200, 5000, full.byteLength - 3]) {
      const error = await expectError(await fetch(post(full.slice(0, cut))), 400, 'invalid_request')
      expect(error.message).toMatch(/multipart/)
    }
    expect(creates(engine)).toEqual([])
    expect(engine.stored()).toBe(0)
  })

  it('rejects a body without the closing boundary', async () => {
    const { fetch, engine } = setup()
    await expectError(await fetch(postParts(uploadParts(), { end: false })), 400, 'invalid_request')
    expect(creates(engine)).toEqual([])
    expect(engine.stored()).toBe(0)
  })

  it('answers missing_required_parameter file when there is no file part', async () => {
    const { fetch, engine } = setup()
    await expectError(
      await fetch(postParts([{ name: 'purpose', data: 'batch' }])),
      400,
      'missing_required_parameter',
      'file',
    )
    await expectError(await fetch(postParts([])), 400, 'missing_required_parameter', 'file')
    await expectError(
      await fetch(
        postParts([
          { name: 'files', filename: 'a.jsonl', data: 'x' },
          { name: 'purpose', data: 'batch' },
        ]),
      ),
      400,
      'missing_required_parameter',
      'file',
    )
    expect(creates(engine)).toEqual([])
    expect(engine.stored()).toBe(0)
  })

  it('answers missing_required_parameter purpose and discards the content', async () => {
    const { fetch, engine } = setup()
    await expectError(
      await fetch(postParts([uploadParts()[0]!])),
      400,
      'missing_required_parameter',
      'purpose',
    )
    await expectError(
      await fetch(postParts([uploadParts()[0]!, { name: 'purpose', data: '' }])),
      400,
      'missing_required_parameter',
      'purpose',
    )
    expect(engine.discarded).toHaveLength(2)
    expect(creates(engine)).toEqual([])
    expect(engine.stored()).toBe(0)
  })

  it('passes a bad purpose to the engine, which rejects it and discards the content', async () => {
    const { fetch, engine } = setup()
    await expectError(await fetch(postParts(uploadParts('x', 'nonsense'))), 400, 'invalid_value', 'purpose')
    expect(engine.discarded).toHaveLength(1)
    expect(engine.stored()).toBe(0)
  })

  it('rejects two file parts and discards the first', async () => {
    const { fetch, engine } = setup()
    const [file, purpose] = uploadParts()
    const error = await expectError(
      await fetch(postParts([file!, file!, purpose!])),
      400,
      'invalid_request',
      'file',
    )
    expect(error.message).toMatch(/more than one 'file'/)
    expect(creates(engine)).toEqual([])
    expect(engine.stored()).toBe(0)
  })

  it('rejects a duplicated purpose (also across bracket and dot forms)', async () => {
    const { fetch, engine } = setup()
    await expectError(
      await fetch(postParts([...uploadParts(), { name: 'purpose', data: 'batch' }])),
      400,
      'invalid_request',
      'purpose',
    )
    await expectError(
      await fetch(
        postParts([
          ...uploadParts(),
          { name: 'expires_after[seconds]', data: '3600' },
          { name: 'expires_after.seconds', data: '7200' },
        ]),
      ),
      400,
      'invalid_request',
      'expires_after.seconds',
    )
    expect(engine.discarded).toHaveLength(2)
    expect(engine.stored()).toBe(0)
  })

  it('rejects a text field over 64 KiB without reading on', async () => {
    const { fetch, engine } = setup()
    await expectError(
      await fetch(postParts([...uploadParts(), { name: 'note', data: 'n'.repeat(70_000) }])),
      400,
      'invalid_request',
      'note',
    )
    await expectError(
      await fetch(postParts([{ name: 'purpose', data: 'b'.repeat(100_000) }, uploadParts()[0]!])),
      400,
      'invalid_request',
      'purpose',
    )
    expect(creates(engine)).toEqual([])
    expect(engine.stored()).toBe(0)
  })

  it('rejects a form with too many parts', async () => {
    const { fetch } = setup()
    const extras = Array.from({ length: 20 }, (_, i) => ({ name: `x${i}`, data: 'y' }))
    await expectError(await fetch(postParts([...uploadParts(), ...extras])), 400, 'invalid_request')
  })

  it('rejects a part without a field name and a part with oversized headers', async () => {
    const { fetch } = setup()
    await expectError(
      await fetch(
        postParts([
          { filename: 'a.jsonl', data: 'x' },
          { name: 'purpose', data: 'batch' },
        ]),
      ),
      400,
      'invalid_request',
    )
    await expectError(
      await fetch(postParts([{ headers: [`X-Long: ${'h'.repeat(10_000)}`], data: 'x' }, ...uploadParts()])),
      400,
      'invalid_request',
    )
    await expectError(
      await fetch(postParts([{ headers: ['Content-Type: text/plain'], data: 'x' }])),
      400,
      'invalid_request',
    )
  })

  it('answers 413 from content-length before reading a byte', async () => {
    const { fetch, engine } = setup(fakeEngine({ limits: { maxFileBytes: 1000, maxBatchFileBytes: 500 } }))
    const { stream, pulled } = trackedStream([new Uint8Array(10)])
    const res = await fetch(post(stream, multipartType, { 'content-length': String(10 * 1024 * 1024) }))
    await expectError(res, 413, 'file_too_large', 'file')
    expect(pulled()).toBe(0)
    expect(engine.calls).toEqual([])
  })

  it('answers 413 while streaming a file over the limit, and stops reading the request', async () => {
    const { fetch, engine } = setup(fakeEngine({ limits: { maxFileBytes: 4096, maxBatchFileBytes: 2048 } }))
    const body = multipartBody(boundary, [
      { name: 'purpose', data: 'batch' },
      { name: 'file', filename: 'a.jsonl', data: 'x'.repeat(1_000_000) },
    ])
    const { stream, pulled } = trackedStream(chunked(body, 1024))
    await expectError(await fetch(post(stream)), 413, 'file_too_large', 'file')
    expect(pulled()).toBeLessThan(64 * 1024)
    expect(creates(engine)).toEqual([])
    expect(engine.stored()).toBe(0)
  })

  it("answers 413 at the parser's cap when the purpose is unknown (file first)", async () => {
    const { fetch } = setup(fakeEngine({ limits: { maxFileBytes: 4096, maxBatchFileBytes: 2048 } }))
    const { stream, pulled } = trackedStream(
      chunked(multipartBody(boundary, uploadParts('x'.repeat(1_000_000))), 1024),
    )
    await expectError(await fetch(post(stream)), 413, 'file_too_large')
    expect(pulled()).toBeLessThan(64 * 1024)
  })

  it('answers 400 when the client goes away mid-upload', async () => {
    const { fetch, engine } = setup()
    const head = multipartBody(boundary, uploadParts('x'.repeat(50_000))).slice(0, 20_000)
    let sent = false
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent) return controller.error(new TypeError('terminated'))
        sent = true
        controller.enqueue(head)
      },
    })
    await expectError(await fetch(post(stream)), 400, 'invalid_request')
    expect(creates(engine)).toEqual([])
    expect(engine.stored()).toBe(0)
  })

  it('keeps the BatchkitError of a failing receive and 500s a crashing one', async () => {
    const { fetch, engine } = setup()
    engine.failNext(
      'files.receive',
      new BatchkitError('service_unavailable', 'Storage is down.', { retryAfter: 1 }),
    )
    const res = await fetch(postParts(uploadParts()))
    expect(res.headers.get('retry-after')).toBe('1')
    await expectError(res, 503, 'service_unavailable')
    engine.failNext('files.receive', new Error('disk on fire'))
    await expectError(await fetch(postParts(uploadParts())), 500, 'internal_error')
    engine.failNext('files.create', new Error('db on fire'))
    await expectError(await fetch(postParts(uploadParts())), 500, 'internal_error')
  })
})

describe('POST /files backpressure', () => {
  it('reads the request only as fast as the engine consumes the file', async () => {
    const engine = fakeEngine()
    const { fetch } = setup(engine)
    const size = 8 * 1024 * 1024
    const body = multipartBody(boundary, uploadParts('y'.repeat(size)))
    const { stream, pulled } = trackedStream(chunked(body, 16 * 1024))
    let consumed = 0
    let maxAhead = 0
    engine.onReceiveChunk = async (chunk) => {
      consumed += chunk.byteLength
      maxAhead = Math.max(maxAhead, pulled() - consumed)
      await new Promise((resolve) => setTimeout(resolve, 0)) // a slow store
    }
    const file = await expectJson<{ bytes: number }>(await fetch(post(stream)))
    expect(file.bytes).toBe(size)
    expect(maxAhead).toBeLessThan(256 * 1024)
  })
})
