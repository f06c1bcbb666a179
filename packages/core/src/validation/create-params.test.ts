import { describe, expect, it } from 'vitest'
import { BatchkitError } from '../errors.ts'
import { parseCreateBatchParams, parseMetadata } from './create-params.ts'

const base = { input_file_id: 'file-abc', endpoint: '/v1/chat/completions', completion_window: '24h' }

/** The BatchkitError `fn` throws, as {code, param, message}. */
function thrown(fn: () => unknown): { code: string; param: string | null; message: string } {
  try {
    fn()
  } catch (error) {
    if (error instanceof BatchkitError)
      return { code: error.code, param: error.param, message: error.message }
    throw error
  }
  throw new Error('expected a BatchkitError')
}

describe('parseCreateBatchParams', () => {
  it('parses a minimal body', () => {
    expect(parseCreateBatchParams(base)).toEqual({
      inputFileId: 'file-abc',
      endpoint: '/v1/chat/completions',
      completionWindow: '24h',
      metadata: null,
      outputExpiresAfter: null,
    })
  })

  it('parses metadata and output_expires_after, ignoring unknown keys', () => {
    const params = parseCreateBatchParams({
      ...base,
      endpoint: '/v1/embeddings',
      metadata: { project: 'x', note: '' },
      output_expires_after: { anchor: 'created_at', seconds: 7200 },
      extra: true,
    })
    expect(params).toMatchObject({
      endpoint: '/v1/embeddings',
      metadata: { project: 'x', note: '' },
      outputExpiresAfter: 7200,
    })
  })

  it('accepts null metadata and output_expires_after', () => {
    expect(parseCreateBatchParams({ ...base, metadata: null, output_expires_after: null })).toMatchObject({
      metadata: null,
      outputExpiresAfter: null,
    })
  })

  it('rejects a body that is not an object', () => {
    for (const body of [null, [], 'x', 3, undefined]) {
      expect(thrown(() => parseCreateBatchParams(body))).toEqual({
        code: 'invalid_request',
        param: null,
        message: 'The request body must be a JSON object.',
      })
    }
  })

  it('requires input_file_id, endpoint and completion_window', () => {
    for (const param of ['input_file_id', 'endpoint', 'completion_window']) {
      const body: Record<string, unknown> = { ...base }
      delete body[param]
      expect(thrown(() => parseCreateBatchParams(body))).toEqual({
        code: 'missing_required_parameter',
        param,
        message: `Missing required parameter: '${param}'.`,
      })
    }
  })

  it('rejects required parameters of the wrong type', () => {
    for (const param of ['input_file_id', 'endpoint', 'completion_window']) {
      expect(thrown(() => parseCreateBatchParams({ ...base, [param]: 24 }))).toEqual({
        code: 'invalid_type',
        param,
        message: `Invalid type for '${param}': expected a string, but got an integer instead.`,
      })
    }
    expect(thrown(() => parseCreateBatchParams({ ...base, endpoint: null }))).toMatchObject({
      code: 'invalid_type',
      param: 'endpoint',
    })
  })

  it('rejects an empty input_file_id', () => {
    expect(thrown(() => parseCreateBatchParams({ ...base, input_file_id: '' }))).toMatchObject({
      code: 'invalid_value',
      param: 'input_file_id',
    })
  })

  it('rejects an unsupported endpoint, listing the supported ones', () => {
    expect(thrown(() => parseCreateBatchParams({ ...base, endpoint: '/v1/foo' }))).toEqual({
      code: 'invalid_value',
      param: 'endpoint',
      message:
        "Invalid value: '/v1/foo'. Supported values are: '/v1/chat/completions', '/v1/completions', '/v1/embeddings', '/v1/moderations', and '/v1/responses'.",
    })
    expect(thrown(() => parseCreateBatchParams({ ...base, endpoint: '/chat/completions' }))).toMatchObject({
      code: 'invalid_value',
      param: 'endpoint',
    })
  })

  it('accepts only the 24h completion window', () => {
    for (const window of ['1h', '48h', '']) {
      expect(thrown(() => parseCreateBatchParams({ ...base, completion_window: window }))).toEqual({
        code: 'invalid_value',
        param: 'completion_window',
        message: `Invalid value: '${window}'. Supported values are: '24h'.`,
      })
    }
  })

  it('rejects an output_expires_after that is not an object, or out of range', () => {
    expect(thrown(() => parseCreateBatchParams({ ...base, output_expires_after: 3600 }))).toMatchObject({
      code: 'invalid_type',
      param: 'output_expires_after',
    })
    expect(
      thrown(() =>
        parseCreateBatchParams({ ...base, output_expires_after: { anchor: 'created_at', seconds: 60 } }),
      ),
    ).toMatchObject({ code: 'invalid_value', param: 'output_expires_after.seconds' })
    expect(
      thrown(() =>
        parseCreateBatchParams({ ...base, output_expires_after: { anchor: 'now', seconds: 3600 } }),
      ),
    ).toMatchObject({ code: 'invalid_value', param: 'output_expires_after.anchor' })
  })
})

describe('parseMetadata', () => {
  it('returns null for null or absent metadata', () => {
    expect(parseMetadata(undefined)).toBeNull()
    expect(parseMetadata(null)).toBeNull()
  })

  it('rejects metadata that is not an object', () => {
    for (const value of ['x', [], 1]) {
      expect(thrown(() => parseMetadata(value))).toMatchObject({ code: 'invalid_type', param: 'metadata' })
    }
    expect(thrown(() => parseMetadata([])).message).toBe(
      "Invalid type for 'metadata': expected an object, but got an array instead.",
    )
  })

  it('allows 16 keys and rejects 17', () => {
    const keys = (n: number) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`k${i}`, 'v']))
    expect(Object.keys(parseMetadata(keys(16)) ?? {})).toHaveLength(16)
    expect(thrown(() => parseMetadata(keys(17)))).toEqual({
      code: 'invalid_value',
      param: 'metadata',
      message:
        "Invalid 'metadata': too many properties. Expected an object with at most 16 properties, but got an object with 17 properties instead.",
    })
  })

  it('limits keys to 64 characters', () => {
    expect(parseMetadata({ ['k'.repeat(64)]: 'v' })).toEqual({ ['k'.repeat(64)]: 'v' })
    expect(parseMetadata({ ['😀'.repeat(64)]: 'v' })).toEqual({ ['😀'.repeat(64)]: 'v' })
    const error = thrown(() => parseMetadata({ ['k'.repeat(65)]: 'v' }))
    expect(error).toMatchObject({ code: 'invalid_value', param: 'metadata' })
    expect(error.message).toContain('65 characters')
  })

  it('requires string values', () => {
    expect(thrown(() => parseMetadata({ ok: 'x', tags: ['a'] }))).toEqual({
      code: 'invalid_type',
      param: 'metadata.tags',
      message: "Invalid type for 'metadata.tags': expected a string, but got an array instead.",
    })
    expect(thrown(() => parseMetadata({ n: 1.5 }))).toMatchObject({
      code: 'invalid_type',
      param: 'metadata.n',
    })
    expect(thrown(() => parseMetadata({ n: null }))).toMatchObject({
      code: 'invalid_type',
      param: 'metadata.n',
    })
  })

  it('limits values to 512 characters', () => {
    expect(parseMetadata({ note: 'é'.repeat(512) })).toEqual({ note: 'é'.repeat(512) })
    expect(parseMetadata({ note: '😀'.repeat(512) })).toEqual({ note: '😀'.repeat(512) })
    expect(thrown(() => parseMetadata({ note: 'x'.repeat(513) }))).toEqual({
      code: 'invalid_value',
      param: 'metadata.note',
      message:
        "Invalid 'metadata.note': string too long. Expected a string with maximum length 512, but got a string with length 513 instead.",
    })
  })

  it('keeps a __proto__ key as an ordinary key', () => {
    const metadata = parseMetadata(JSON.parse('{"__proto__":"x","a":"b"}'))
    expect(Object.getPrototypeOf(metadata)).toBe(Object.prototype)
    expect(Object.keys(metadata ?? {})).toEqual(['__proto__', 'a'])
  })
})
