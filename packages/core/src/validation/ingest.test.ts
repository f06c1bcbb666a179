import { describe, expect, it } from 'vitest'
import { chunkedStream, concat, probedStream, splitStream, utf8 } from '../jsonl/__fixtures__/streams.ts'
import { defaultLimits } from '../limits.ts'
import type { BatchEndpoint } from '../wire/batch.ts'
import {
  type IngestOptions,
  type IngestResult,
  IngestScan,
  type IngestScanOptions,
  RequestItemColumns,
  validateInput,
} from './ingest.ts'

const limits = {
  maxRequestsPerBatch: defaultLimits.maxRequestsPerBatch,
  maxEmbeddingInputs: defaultLimits.maxEmbeddingInputs,
  maxLineBytes: defaultLimits.maxLineBytes,
  maxValidationErrors: defaultLimits.maxValidationErrors,
}

const chatLine = (id: string, model = 'gpt-4o-mini', extra: Record<string, unknown> = {}): string =>
  JSON.stringify({
    custom_id: id,
    method: 'POST',
    url: '/v1/chat/completions',
    body: { model, messages: [{ role: 'user', content: `hello ${id} é` }], ...extra },
  })

const embedLine = (id: string, input: unknown): string =>
  JSON.stringify({ custom_id: id, method: 'POST', url: '/v1/embeddings', body: { model: 'te-3', input } })

/** Options with a deterministic id counter. */
function opts(
  overrides: Partial<IngestOptions['limits']> = {},
  endpoint: BatchEndpoint = '/v1/chat/completions',
) {
  let n = 0
  return {
    endpoint,
    limits: { ...limits, ...overrides },
    newId: () => `batch_req_${++n}`,
  } satisfies IngestOptions
}

const validate = (text: string | Uint8Array, options: IngestOptions = opts(), cuts: number[] = []) =>
  validateInput(splitStream(typeof text === 'string' ? utf8(text) : text, cuts), options)

/** [code, param, line] of each error. */
const codes = (result: IngestResult) => result.errors.map((e) => [e.code, e.param, e.line])

describe('validateInput', () => {
  it('returns one item per request line, with exact byte ranges', async () => {
    const text = `${chatLine('a')}\n\n${chatLine('b')}\r\n  \n${chatLine('c')}`
    const bytes = utf8(text)
    const result = await validate(bytes)
    expect(result).toMatchObject({ ok: true, errors: [], model: 'gpt-4o-mini', total: 3 })
    expect(result.items.map((i) => [i.index, i.id, i.customId])).toEqual([
      [1, 'batch_req_1', 'a'],
      [3, 'batch_req_2', 'b'],
      [5, 'batch_req_3', 'c'],
    ])
    const decoder = new TextDecoder()
    for (const item of result.items) {
      const line = JSON.parse(decoder.decode(bytes.slice(item.offset, item.offset + item.length)))
      expect(line.custom_id).toBe(item.customId)
    }
  })

  it("runs the provider's checkBody on valid lines only, as invalid_request errors on body params", async () => {
    const seen: unknown[] = []
    const result = await validate(
      `${chatLine('a')}\n${chatLine('b', 'gpt-4o-mini', { n: 2 })}\n{"custom_id":1}`,
      {
        ...opts(),
        checkBody: (body) => {
          seen.push(body.n)
          return body.n === 2 ? [{ param: 'n', message: 'n > 1 is not supported.' }] : []
        },
      },
    )
    expect(seen).toEqual([undefined, 2])
    expect(result.ok).toBe(false)
    expect(result.errors[0]).toEqual({
      code: 'invalid_request',
      message: 'n > 1 is not supported.',
      param: 'body.n',
      line: 2,
    })
  })

  it('uses batch_req_ ids by default', async () => {
    const result = await validateInput(splitStream(utf8(chatLine('a'))), {
      endpoint: '/v1/chat/completions',
      limits,
    })
    expect(result.items[0]?.id).toMatch(/^batch_req_[0-9a-f]{24}$/)
  })

  it('reports lines that are not JSON', async () => {
    const result = await validate(`${chatLine('a')}\n{"custom_id": \n${chatLine('b')}\n[1,2`)
    expect(codes(result)).toEqual([
      ['invalid_json_line', null, 2],
      ['invalid_json_line', null, 4],
    ])
    expect(result.errors[0]?.message).toBe('This line is not parseable as valid JSON.')
    expect(result).toMatchObject({ ok: false, items: [], total: 4 })
  })

  it('reports line checks with their line numbers', async () => {
    const result = await validate(
      [
        chatLine('a'),
        '42',
        JSON.stringify({ custom_id: 'b', url: '/v1/chat/completions', body: {} }),
        chatLine('c', 'gpt-4o-mini', { stream: true }),
        JSON.stringify({
          custom_id: 'd',
          method: 'POST',
          url: '/v1/embeddings',
          body: { model: 'gpt-4o-mini', messages: [{}] },
        }),
      ].join('\n'),
    )
    expect(codes(result)).toEqual([
      ['invalid_request', null, 2],
      ['missing_required_parameter', 'method', 3],
      ['invalid_request', 'body.model', 3],
      ['missing_required_parameter', 'body.messages', 3],
      ['streaming_unsupported', 'body.stream', 4],
      ['invalid_url', 'url', 5],
    ])
  })

  it('reports a duplicate custom_id on each later line, naming the first line', async () => {
    const result = await validate([chatLine('a'), chatLine('b'), chatLine('a'), '', chatLine('a')].join('\n'))
    expect(codes(result)).toEqual([
      ['duplicate_custom_id', 'custom_id', 3],
      ['duplicate_custom_id', 'custom_id', 5],
    ])
    expect(result.errors[0]?.message).toContain('already used on line 1')
  })

  it('reports duplicates of ids first seen on an invalid line', async () => {
    const result = await validate([chatLine('a', 'gpt-4o-mini', { stream: true }), chatLine('a')].join('\n'))
    expect(codes(result)).toEqual([
      ['streaming_unsupported', 'body.stream', 1],
      ['duplicate_custom_id', 'custom_id', 2],
    ])
  })

  it('reports every line whose model differs from the first one', async () => {
    const result = await validate(
      [chatLine('1', 'a'), chatLine('2', 'b'), chatLine('3', 'a'), chatLine('4', 'c')].join('\n'),
    )
    expect(codes(result)).toEqual([
      ['mismatched_model', 'body.model', 2],
      ['mismatched_model', 'body.model', 4],
    ])
    expect(result.errors[0]?.message).toBe(
      "All requests in a batch must use the same model; line 1 uses 'a', this line uses 'b'.",
    )
    expect(result.model).toBe('a')
  })

  it('takes the common model from the first line that names one', async () => {
    const noModel = JSON.stringify({
      custom_id: '0',
      method: 'POST',
      url: '/v1/chat/completions',
      body: { messages: [{}] },
    })
    const result = await validate([noModel, chatLine('1', 'a'), chatLine('2', 'b')].join('\n'))
    expect(codes(result)).toEqual([
      ['invalid_request', 'body.model', 1],
      ['mismatched_model', 'body.model', 3],
    ])
    expect(result.errors[1]?.message).toContain("line 2 uses 'a'")
  })

  describe('request limits', () => {
    it('reports too many requests once and stops reading', async () => {
      const lines = [chatLine('a'), chatLine('b'), chatLine('c'), chatLine('d'), 'not json', chatLine('e')]
      const probe = probedStream(lines.map((l) => utf8(`${l}\n`)))
      const result = await validateInput(probe.stream, opts({ maxRequestsPerBatch: 3 }))
      expect(codes(result)).toEqual([['too_many_tasks', null, null]])
      expect(result.errors[0]?.message).toBe(
        'The input file has more than 3 requests; the limit is 3 per batch.',
      )
      expect(result.items).toEqual([])
      expect(probe.cancelled).toBe(true)
      expect(probe.pulls).toBe(4)
    })

    it('accepts exactly maxRequestsPerBatch requests', async () => {
      const result = await validate(
        [chatLine('a'), chatLine('b'), chatLine('c'), ''].join('\n'),
        opts({ maxRequestsPerBatch: 3 }),
      )
      expect(result).toMatchObject({ ok: true, total: 3 })
    })

    it('limits the embedding inputs of an embeddings batch', async () => {
      const options = () => opts({ maxEmbeddingInputs: 5 }, '/v1/embeddings')
      const ok = await validate(
        [embedLine('a', ['x', 'y']), embedLine('b', [[1], [2]]), embedLine('c', 'z')].join('\n'),
        options(),
      )
      expect(ok).toMatchObject({ ok: true, total: 3, model: 'te-3' })
      const over = await validate(
        [embedLine('a', ['x', 'y', 'z']), embedLine('b', ['x', 'y', 'z']), 'junk'].join('\n'),
        options(),
      )
      expect(codes(over)).toEqual([['too_many_tasks', null, null]])
      expect(over.errors[0]?.message).toBe(
        'The input file has more than 5 embedding inputs; the limit is 5 per /v1/embeddings batch.',
      )
    })
  })

  describe('empty files', () => {
    it('rejects an empty file', async () => {
      const result = await validate('')
      expect(codes(result)).toEqual([['empty_file', null, null]])
      expect(result).toMatchObject({ ok: false, total: 0, model: null })
    })

    it('rejects a file of blank lines', async () => {
      expect(codes(await validate('\n  \r\n\t\n'))).toEqual([['empty_file', null, null]])
    })
  })

  describe('file format', () => {
    it('rejects a BOM as invalid_file_format on line 1', async () => {
      const result = await validate(concat(new Uint8Array([0xef, 0xbb, 0xbf]), utf8(`${chatLine('a')}\n`)))
      expect(codes(result)).toEqual([['invalid_file_format', null, 1]])
      expect(result.errors[0]?.message).toContain('byte order mark (BOM)')
      expect(result.errors[0]?.message).toContain('UTF-8 without BOM')
    })

    it('reports each line that is not UTF-8 and goes on reading', async () => {
      const bad = concat(utf8('{"custom_id":"'), new Uint8Array([0xe9]), utf8('"}'))
      const bytes = concat(utf8(`${chatLine('a')}\n`), bad, utf8(`\n${chatLine('a')}\n`), bad, utf8('\n'))
      const result = await validate(bytes)
      expect(codes(result)).toEqual([
        ['invalid_file_format', null, 2],
        ['duplicate_custom_id', 'custom_id', 3],
        ['invalid_file_format', null, 4],
      ])
      expect(result.errors[0]?.message).toBe('Line 2 is not valid UTF-8.')
      expect(result.total).toBe(4)
    })

    it('reports a line over maxLineBytes with the limit, and stops', async () => {
      const probe = probedStream([
        utf8(`${chatLine('a')}\n`),
        utf8(`${chatLine('b')}\n`),
        utf8('x'.repeat(600)),
        utf8('y'),
      ])
      const result = await validateInput(probe.stream, opts({ maxLineBytes: 512 }))
      expect(codes(result)).toEqual([['line_too_long', null, 3]])
      expect(result.errors[0]?.message).toBe('Line 3 is longer than the limit of 512 bytes.')
      expect(probe.cancelled).toBe(true)
    })

    it('names the default limit in MiB', async () => {
      const big = new Uint8Array(16 * 1024 * 1024 + 10).fill(0x20)
      const result = await validateInput(chunkedStream(big, 1 << 20), opts())
      expect(result.errors[0]?.message).toBe('Line 1 is longer than the limit of 16777216 bytes (16 MiB).')
    })
  })

  describe('error cap', () => {
    it('keeps maxValidationErrors - 1 errors, then a too_many_errors note, and stops reading', async () => {
      const lines = [chatLine('a'), 'x', 'x', 'x', 'x', 'x', 'x']
      const probe = probedStream(lines.map((l) => utf8(`${l}\n`)))
      const result = await validateInput(probe.stream, opts({ maxValidationErrors: 3 }))
      expect(codes(result)).toEqual([
        ['invalid_json_line', null, 2],
        ['invalid_json_line', null, 3],
        ['too_many_errors', null, null],
      ])
      expect(result.errors[2]?.message).toBe(
        'Validation stopped at line 4 after 2 errors; further errors were not reported.',
      )
      expect(probe.cancelled).toBe(true)
      expect(probe.pulls).toBe(4)
    })

    it('adds no note when the errors fit', async () => {
      const result = await validate([chatLine('a'), 'x', 'x'].join('\n'), opts({ maxValidationErrors: 3 }))
      expect(codes(result)).toEqual([
        ['invalid_json_line', null, 2],
        ['invalid_json_line', null, 3],
      ])
    })

    it('counts every error of a line against the cap', async () => {
      const result = await validate(['{}', '{}'].join('\n'), opts({ maxValidationErrors: 3 }))
      expect(codes(result)).toEqual([
        ['missing_required_parameter', 'custom_id', 1],
        ['missing_required_parameter', 'method', 1],
        ['too_many_errors', null, null],
      ])
    })

    it('keeps the first error only with a cap of 1', async () => {
      const result = await validate(['x', 'x'].join('\n'), opts({ maxValidationErrors: 1 }))
      expect(codes(result)).toEqual([['invalid_json_line', null, 1]])
    })

    it('caps invalid UTF-8 lines too', async () => {
      const bad = new Uint8Array([0xff, 0x0a])
      const result = await validate(concat(bad, bad, bad, bad), opts({ maxValidationErrors: 2 }))
      expect(codes(result)).toEqual([
        ['invalid_file_format', null, 1],
        ['too_many_errors', null, null],
      ])
    })
  })

  it('gives the same result for every chunk split', async () => {
    const bytes = concat(
      utf8(`${chatLine('a')}\r\n\n${chatLine('b', 'other')}\n{bad\n${chatLine('a')}\n`),
      new Uint8Array([0xc3]),
      utf8(`\n${chatLine('日本')}`),
    )
    const expected = await validate(bytes)
    expect(codes(expected)).toEqual([
      ['mismatched_model', 'body.model', 3],
      ['invalid_json_line', null, 4],
      ['duplicate_custom_id', 'custom_id', 5],
      ['invalid_file_format', null, 6],
    ])
    for (let cut = 1; cut < bytes.byteLength; cut++) {
      expect(await validate(bytes, opts(), [cut]), `cut at ${cut}`).toEqual(expected)
    }
    const valid = utf8(`${chatLine('a')}\r\n\n${chatLine('日本')}\n`)
    const expectedValid = await validate(valid)
    expect(expectedValid.ok).toBe(true)
    for (let cut = 1; cut < valid.byteLength; cut++) {
      expect(await validate(valid, opts(), [cut]), `cut at ${cut}`).toEqual(expectedValid)
    }
  })

  it('rethrows errors of the stream itself', async () => {
    const failure = new Error('storage failed')
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        controller.error(failure)
      },
    })
    await expect(validateInput(stream, opts())).rejects.toBe(failure)
  })

  it('validates a 50,000-line file, and rejects one more line', async () => {
    const lines: string[] = []
    for (let i = 0; i < 50_000; i++) lines.push(chatLine(`request-${i}`))
    const bytes = utf8(`${lines.join('\n')}\n`)
    const result = await validateInput(chunkedStream(bytes, 64 * 1024), opts())
    expect(result.ok).toBe(true)
    expect(result.total).toBe(50_000)
    expect(result.items).toHaveLength(50_000)
    const last = result.items[49_999]!
    expect(last).toMatchObject({ index: 50_000, customId: 'request-49999' })
    expect(
      JSON.parse(new TextDecoder().decode(bytes.slice(last.offset, last.offset + last.length))).custom_id,
    ).toBe('request-49999')

    const over = concat(bytes, utf8(chatLine('one-more')))
    const rejected = await validateInput(chunkedStream(over, 64 * 1024), opts())
    expect(codes(rejected)).toEqual([['too_many_tasks', null, null]])
  })
})

/** Runs an {@link IngestScan} over `bytes` in chunks of `size`, as an upload would feed it. */
function scan(bytes: Uint8Array, options: IngestScanOptions, size = 64 * 1024): IngestScan {
  const run = new IngestScan(options)
  let more = true
  for (let at = 0; more && at < bytes.byteLength; at += size) more = run.push(bytes.subarray(at, at + size))
  run.end()
  return run
}

describe('IngestScan', () => {
  const files: [string, Uint8Array][] = [
    ['a clean file', utf8(`${chatLine('a')}\r\n\n${chatLine('日本')}\n${chatLine('c')}`)],
    [
      'a file with errors',
      concat(
        utf8(`${chatLine('a')}\n${chatLine('b', 'other')}\n{bad\n${chatLine('a')}\n`),
        new Uint8Array([0xc3]),
        utf8(`\n${chatLine('x', 'gpt-4o-mini', { stream: true })}`),
      ),
    ],
    ['an empty file', utf8('\n \n')],
    ['a file with a BOM', concat(new Uint8Array([0xef, 0xbb, 0xbf]), utf8(chatLine('a')))],
  ]

  for (const [name, bytes] of files) {
    it(`reaches the same result as validateInput for ${name}, however it is fed`, async () => {
      const expected = await validate(bytes)
      for (const size of [1, 7, 64 * 1024]) {
        expect(scan(bytes, opts(), size).result(), `chunks of ${size}`).toEqual(expected)
      }
    })
  }

  it('takes the endpoint from the first line when none is given, with or without /v1', async () => {
    const embeddings = `${embedLine('a', 'x')}\n${JSON.stringify({ custom_id: 'b', method: 'POST', url: '/embeddings', body: { model: 'te-3', input: ['y', 'z'] } })}`
    const run = scan(utf8(embeddings), { ...opts(), endpoint: null })
    expect(run.endpoint).toBe('/v1/embeddings')
    expect(run.result()).toEqual(await validate(embeddings, opts({}, '/v1/embeddings')))
    expect(run.result().ok).toBe(true)
  })

  it('ends with invalid_url when the first line names no batch endpoint', () => {
    for (const first of [
      JSON.stringify({ custom_id: 'a', method: 'POST', url: '/v1/models', body: {} }),
      JSON.stringify({ custom_id: 'a', method: 'POST', body: {} }),
      '[1, 2]',
    ]) {
      const run = scan(utf8(`${first}\n${chatLine('b')}`), { ...opts(), endpoint: null })
      expect(run.endpoint).toBe(null)
      expect(codes(run.result())).toEqual([['invalid_url', 'url', 1]])
    }
  })

  it('stops at the first error when asked to', () => {
    const bytes = utf8(`${chatLine('a')}\n{bad\n${chatLine('a')}\n${chatLine('c')}`)
    const run = new IngestScan({ ...opts(), stopAtFirstError: true })
    expect(run.push(bytes)).toBe(false)
    expect(run.stopped).toBe(true)
    expect(codes(run.result())).toEqual([['invalid_json_line', null, 2]])
  })

  it('keeps items as columns in the outline, their ids drawn in file order when sliced', () => {
    const run = scan(utf8(`${chatLine('a')}\n\n${chatLine('b')}\n${chatLine('c')}`), opts())
    const { items, ok, total } = run.outline()
    expect([ok, total, items.length]).toEqual([true, 3, 3])
    expect(items.slice(1, 9).map((i) => [i.index, i.id, i.customId])).toEqual([
      [3, 'batch_req_2', 'b'],
      [4, 'batch_req_3', 'c'],
    ])
    expect(items.slice(0, 1).map((i) => [i.index, i.id, i.customId])).toEqual([[1, 'batch_req_1', 'a']])
    expect(items.slice(0, 3)).toEqual(run.result().items)
  })
})

describe('RequestItemColumns', () => {
  it('grows past its first capacity and slices in file order, with stable ids', () => {
    let n = 0
    const columns = new RequestItemColumns(() => `id-${++n}`)
    for (let i = 0; i < 5000; i++) columns.push(i + 1, `c${i}`, i * 10, 9)
    expect(columns.length).toBe(5000)
    expect(columns.slice(4998, 6000)).toEqual([
      { index: 4999, id: 'id-4999', customId: 'c4998', offset: 49_980, length: 9 },
      { index: 5000, id: 'id-5000', customId: 'c4999', offset: 49_990, length: 9 },
    ])
    expect(columns.slice(0, 1)).toEqual([{ index: 1, id: 'id-1', customId: 'c0', offset: 0, length: 9 }])
    expect(columns.slice(-5, 0)).toEqual([])
    expect(n).toBe(5000)
  })
})
