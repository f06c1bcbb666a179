import { describe, expect, it } from 'vitest'
import type { BatchEndpoint } from '../wire/batch.ts'
import { checkRequestLine, type LineCheck } from './line.ts'

const chat = (body: Record<string, unknown> = {}) => ({
  custom_id: 'r1',
  method: 'POST',
  url: '/v1/chat/completions',
  body: { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }], ...body },
})

/** [code, param, line] of each error. */
function codes(check: LineCheck): [string, string | null, number | null][] {
  if (check.ok) return []
  return check.errors.map((e) => [e.code, e.param, e.line])
}

describe('checkRequestLine', () => {
  it('accepts a valid chat line', () => {
    expect(checkRequestLine(chat(), 1, '/v1/chat/completions')).toEqual({
      ok: true,
      customId: 'r1',
      model: 'gpt-4o-mini',
      embeddingInputs: 0,
    })
  })

  it('accepts the endpoint without its /v1 prefix', () => {
    const line = { ...chat(), url: '/chat/completions' }
    expect(checkRequestLine(line, 1, '/v1/chat/completions').ok).toBe(true)
  })

  it('rejects values that are not JSON objects', () => {
    for (const value of [null, [], 'x', 1, true]) {
      const check = checkRequestLine(value, 4, '/v1/chat/completions')
      expect(codes(check)).toEqual([['invalid_request', null, 4]])
      expect(check.ok || check.errors[0]?.message).toBe('Line 4 is not a JSON object.')
    }
  })

  it('reports every missing envelope field', () => {
    const check = checkRequestLine({}, 2, '/v1/chat/completions')
    expect(codes(check)).toEqual([
      ['missing_required_parameter', 'custom_id', 2],
      ['missing_required_parameter', 'method', 2],
      ['missing_required_parameter', 'url', 2],
      ['missing_required_parameter', 'body', 2],
    ])
    expect(check.ok || check.errors[0]?.message).toBe("Missing required parameter: 'custom_id'.")
  })

  it('rejects a custom_id that is not a non-empty string', () => {
    for (const id of ['', 7, null, {}]) {
      const check = checkRequestLine({ ...chat(), custom_id: id }, 3, '/v1/chat/completions')
      expect(codes(check)).toEqual([['invalid_request', 'custom_id', 3]])
      expect(check.ok ? null : check.customId).toBeNull()
    }
  })

  it('rejects a method other than POST', () => {
    const check = checkRequestLine({ ...chat(), method: 'GET' }, 1, '/v1/chat/completions')
    expect(codes(check)).toEqual([['invalid_request', 'method', 1]])
    expect(check.ok || check.errors[0]?.message).toContain("'GET'")
    expect(codes(checkRequestLine({ ...chat(), method: 'post' }, 1, '/v1/chat/completions'))).toEqual([
      ['invalid_request', 'method', 1],
    ])
  })

  it('rejects a url that does not match the endpoint', () => {
    const check = checkRequestLine({ ...chat(), url: '/v1/embeddings' }, 5, '/v1/chat/completions')
    expect(codes(check)).toEqual([['invalid_url', 'url', 5]])
    expect(check.ok || check.errors[0]?.message).toBe(
      "The URL '/v1/embeddings' of this line does not match the batch endpoint '/v1/chat/completions'.",
    )
    for (const url of [
      '/v1/chat/completions/',
      'https://api.openai.com/v1/chat/completions',
      '/v2/chat/completions',
    ]) {
      expect(codes(checkRequestLine({ ...chat(), url }, 5, '/v1/chat/completions'))).toEqual([
        ['invalid_url', 'url', 5],
      ])
    }
    expect(codes(checkRequestLine({ ...chat(), url: 1 }, 5, '/v1/chat/completions'))).toEqual([
      ['invalid_request', 'url', 5],
    ])
  })

  it('rejects a body that is not an object', () => {
    for (const body of ['x', [], null]) {
      const check = checkRequestLine({ ...chat(), body }, 1, '/v1/chat/completions')
      expect(codes(check)).toEqual([['invalid_request', 'body', 1]])
    }
  })

  it('rejects streaming, naming the API', () => {
    const check = checkRequestLine(chat({ stream: true }), 6, '/v1/chat/completions')
    expect(codes(check)).toEqual([['streaming_unsupported', 'body.stream', 6]])
    expect(check.ok || check.errors[0]?.message).toBe(
      'Chat Completions: Streaming is not supported in the Batch API.',
    )
    const responses = checkRequestLine(
      {
        custom_id: 'a',
        method: 'POST',
        url: '/v1/responses',
        body: { model: 'm', input: 'x', stream: true },
      },
      1,
      '/v1/responses',
    )
    expect(responses.ok || responses.errors[0]?.message).toBe(
      'Responses: Streaming is not supported in the Batch API.',
    )
    expect(checkRequestLine(chat({ stream: false }), 6, '/v1/chat/completions').ok).toBe(true)
  })

  it('requires a model', () => {
    const missing = checkRequestLine(chat({ model: undefined }), 2, '/v1/chat/completions')
    expect(codes(missing)).toEqual([['invalid_request', 'body.model', 2]])
    expect(missing.ok || missing.errors[0]?.message).toBe('Model parameter is required.')
    for (const model of ['', 3, null]) {
      expect(codes(checkRequestLine(chat({ model }), 2, '/v1/chat/completions'))).toEqual([
        ['invalid_request', 'body.model', 2],
      ])
    }
  })

  it('reports several problems of one line together, keeping the valid id and model', () => {
    const check = checkRequestLine(
      { custom_id: 'x', method: 'PUT', url: '/v1/completions', body: { model: 'm', stream: true } },
      9,
      '/v1/chat/completions',
    )
    expect(codes(check)).toEqual([
      ['invalid_request', 'method', 9],
      ['invalid_url', 'url', 9],
      ['streaming_unsupported', 'body.stream', 9],
      ['missing_required_parameter', 'body.messages', 9],
    ])
    expect(check).toMatchObject({ ok: false, customId: 'x', model: 'm' })
  })

  describe('chat completions body', () => {
    it('requires messages', () => {
      const check = checkRequestLine(chat({ messages: undefined }), 1, '/v1/chat/completions')
      expect(codes(check)).toEqual([['missing_required_parameter', 'body.messages', 1]])
      expect(check.ok || check.errors[0]?.message).toBe("Missing required parameter: 'body.messages'.")
    })

    it('rejects messages that are not a non-empty array of objects', () => {
      expect(codes(checkRequestLine(chat({ messages: 'hi' }), 1, '/v1/chat/completions'))).toEqual([
        ['invalid_request', 'body.messages', 1],
      ])
      expect(codes(checkRequestLine(chat({ messages: [] }), 1, '/v1/chat/completions'))).toEqual([
        ['invalid_request', 'body.messages', 1],
      ])
      expect(
        codes(checkRequestLine(chat({ messages: [{ role: 'user' }, 'x'] }), 1, '/v1/chat/completions')),
      ).toEqual([['invalid_request', 'body.messages[1]', 1]])
    })
  })

  describe('completions body', () => {
    const line = (prompt: unknown) => ({
      custom_id: 'c',
      method: 'POST',
      url: '/v1/completions',
      body: { model: 'gpt-3.5-turbo-instruct', prompt },
    })
    it('accepts prompts in every shape', () => {
      for (const prompt of ['hi', ['a', 'b'], [1, 2, 3], [[1], [2, 3]]]) {
        expect(checkRequestLine(line(prompt), 1, '/v1/completions')).toMatchObject({
          ok: true,
          embeddingInputs: 0,
        })
      }
    })
    it('requires a prompt of a valid shape', () => {
      expect(codes(checkRequestLine(line(undefined), 1, '/v1/completions'))).toEqual([
        ['missing_required_parameter', 'body.prompt', 1],
      ])
      for (const prompt of [5, {}, [], ['a', 1], null]) {
        expect(codes(checkRequestLine(line(prompt), 1, '/v1/completions'))).toEqual([
          ['invalid_request', 'body.prompt', 1],
        ])
      }
    })
  })

  describe('embeddings body', () => {
    const line = (input: unknown) => ({
      custom_id: 'e',
      method: 'POST',
      url: '/v1/embeddings',
      body: { model: 'text-embedding-3-small', input },
    })
    const inputs = (input: unknown): number | null => {
      const check = checkRequestLine(line(input), 1, '/v1/embeddings')
      return check.ok ? check.embeddingInputs : null
    }
    it('counts inputs', () => {
      expect(inputs('one')).toBe(1)
      expect(inputs(['a', 'b', 'c'])).toBe(3)
      expect(inputs([1, 2, 3, 4])).toBe(1)
      expect(inputs([[1, 2], [3], [4]])).toBe(3)
    })
    it('requires an input of a valid shape', () => {
      expect(codes(checkRequestLine(line(undefined), 4, '/v1/embeddings'))).toEqual([
        ['missing_required_parameter', 'body.input', 4],
      ])
      for (const input of [3, { a: 1 }, [], ['a', [1]], [true], null]) {
        expect(codes(checkRequestLine(line(input), 4, '/v1/embeddings'))).toEqual([
          ['invalid_request', 'body.input', 4],
        ])
      }
    })
  })

  describe('moderations body', () => {
    const line = (input: unknown) => ({
      custom_id: 'm',
      method: 'POST',
      url: '/v1/moderations',
      body: { model: 'omni-moderation-latest', input },
    })
    it('accepts a string, strings, or multimodal parts', () => {
      const parts = [
        { type: 'text', text: 'hi' },
        { type: 'image_url', image_url: { url: 'https://example.com/a.png' } },
      ]
      for (const input of ['one', ['a', 'b'], parts]) {
        expect(checkRequestLine(line(input), 1, '/v1/moderations').ok).toBe(true)
      }
    })
    it('requires an input of a valid shape', () => {
      expect(codes(checkRequestLine(line(undefined), 2, '/v1/moderations'))).toEqual([
        ['missing_required_parameter', 'body.input', 2],
      ])
      for (const input of [3, { a: 1 }, [], ['a', { type: 'text', text: 'b' }], [{ type: 'audio' }], null]) {
        expect(codes(checkRequestLine(line(input), 2, '/v1/moderations'))).toEqual([
          ['invalid_request', 'body.input', 2],
        ])
      }
    })
  })

  describe('responses body', () => {
    const line = (body: Record<string, unknown>) => ({
      custom_id: 'r',
      method: 'POST',
      url: '/responses',
      body: { model: 'gpt-4.1', ...body },
    })
    it('accepts a string or array input, or a stored prompt instead', () => {
      const endpoint: BatchEndpoint = '/v1/responses'
      expect(checkRequestLine(line({ input: 'hi' }), 1, endpoint).ok).toBe(true)
      expect(checkRequestLine(line({ input: [{ role: 'user', content: 'hi' }] }), 1, endpoint).ok).toBe(true)
      expect(checkRequestLine(line({ prompt: { id: 'pmpt_1' } }), 1, endpoint).ok).toBe(true)
    })
    it('requires input otherwise', () => {
      expect(codes(checkRequestLine(line({}), 2, '/v1/responses'))).toEqual([
        ['missing_required_parameter', 'body.input', 2],
      ])
      expect(codes(checkRequestLine(line({ prompt: 'x' }), 2, '/v1/responses'))).toEqual([
        ['missing_required_parameter', 'body.input', 2],
      ])
      expect(codes(checkRequestLine(line({ input: 5 }), 2, '/v1/responses'))).toEqual([
        ['invalid_request', 'body.input', 2],
      ])
    })
  })
})
