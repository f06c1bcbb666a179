import { describe, expect, it } from 'vitest'
import type { ChatCompletion, EmbeddingList, ResponseObject, TextCompletion } from './index.ts'
import { mockEmbeddingDimensions, simulateResponse } from './index.ts'

const now = 1_700_000_000_000
const at = { key: 'batch_req_1', now }

describe('simulateResponse', () => {
  it('answers chat completions in OpenAI shape, echoing the model', () => {
    const { status, body } = simulateResponse(
      '/v1/chat/completions',
      {
        model: 'gpt-4o-mini',
        messages: [
          { role: 'system', content: 'Be brief.' },
          { role: 'user', content: [{ type: 'text', text: 'What is the capital of France?' }] },
        ],
      },
      at,
    )
    expect(status).toBe(200)
    const chat = body as ChatCompletion
    expect(chat).toMatchObject({ object: 'chat.completion', model: 'gpt-4o-mini', created: now / 1000 })
    expect(chat.id).toMatch(/^chatcmpl-[0-9a-f]{24}$/)
    expect(chat.choices).toHaveLength(1)
    expect(chat.choices[0]).toMatchObject({
      index: 0,
      message: { role: 'assistant', refusal: null },
      finish_reason: 'stop',
      logprobs: null,
    })
    expect(chat.choices[0]?.message.content).toContain('What is the capital of France?')
    const usage = chat.usage
    expect(usage.prompt_tokens).toBeGreaterThan(0)
    expect(usage.completion_tokens).toBeGreaterThan(0)
    expect(usage.total_tokens).toBe(usage.prompt_tokens + usage.completion_tokens)
    expect(usage.prompt_tokens_details.cached_tokens).toBe(0)
    expect(usage.completion_tokens_details.reasoning_tokens).toBe(0)
  })

  it('cuts chat at max_tokens with finish_reason length, honours n and reasoning_effort', () => {
    const chat = simulateResponse(
      '/v1/chat/completions',
      {
        model: 'o3',
        messages: [{ role: 'user', content: 'x '.repeat(100) }],
        max_tokens: 2,
        n: 3,
        reasoning_effort: 'low',
      },
      at,
    ).body as ChatCompletion
    expect(chat.choices).toHaveLength(3)
    expect(chat.choices.map((c) => c.index)).toEqual([0, 1, 2])
    expect(chat.choices[0]?.finish_reason).toBe('length')
    expect(chat.choices[0]?.message.content).toHaveLength(8)
    expect(chat.usage.completion_tokens_details.reasoning_tokens).toBe(16)
    expect(chat.usage.completion_tokens).toBe(3 * 2 + 16)
  })

  it('answers legacy completions as text_completion, one choice per prompt', () => {
    const done = simulateResponse(
      '/v1/completions',
      { model: 'gpt-3.5-turbo-instruct', prompt: ['Say hi', 'Say bye'], max_tokens: 100 },
      at,
    ).body as TextCompletion
    expect(done).toMatchObject({ object: 'text_completion', model: 'gpt-3.5-turbo-instruct' })
    expect(done.id).toMatch(/^cmpl-/)
    expect(done.choices).toHaveLength(2)
    expect(done.choices[1]).toMatchObject({ index: 1, logprobs: null, finish_reason: 'stop' })
    expect(done.choices[1]?.text).toContain('Say bye')
    expect(done.usage.total_tokens).toBe(done.usage.prompt_tokens + done.usage.completion_tokens)
  })

  it('defaults completions to 16 max tokens like OpenAI', () => {
    const done = simulateResponse('/v1/completions', { model: 'm', prompt: 'word '.repeat(50) }, at)
      .body as TextCompletion
    expect(done.choices[0]?.finish_reason).toBe('length')
    expect(done.usage.completion_tokens).toBe(16)
  })

  it('answers embeddings with deterministic unit vectors of a fixed dimension', () => {
    const list = simulateResponse(
      '/v1/embeddings',
      { model: 'text-embedding-3-small', input: ['hello', 'world', 'hello'] },
      at,
    ).body as EmbeddingList
    expect(list).toMatchObject({ object: 'list', model: 'text-embedding-3-small' })
    expect(list.data).toHaveLength(3)
    expect(list.data[2]).toMatchObject({ object: 'embedding', index: 2 })
    const [a, b, c] = list.data.map((d) => d.embedding as number[])
    expect(a).toHaveLength(mockEmbeddingDimensions)
    expect(a).toEqual(c)
    expect(a).not.toEqual(b)
    const norm = Math.sqrt((a ?? []).reduce((s, v) => s + v * v, 0))
    expect(norm).toBeCloseTo(1, 5)
    expect(list.usage.prompt_tokens).toBe(list.usage.total_tokens)
    expect(list.usage.prompt_tokens).toBeGreaterThan(0)
  })

  it('honours dimensions and base64 encoding for embeddings', () => {
    const floats = simulateResponse('/v1/embeddings', { model: 'm', input: 'hi', dimensions: 4 }, at)
      .body as EmbeddingList
    const packed = simulateResponse(
      '/v1/embeddings',
      { model: 'm', input: 'hi', dimensions: 4, encoding_format: 'base64' },
      at,
    ).body as EmbeddingList
    const vector = floats.data[0]?.embedding as number[]
    expect(vector).toHaveLength(4)
    const bytes = Uint8Array.from(atob(packed.data[0]?.embedding as string), (ch) => ch.charCodeAt(0))
    expect(Array.from(new Float32Array(bytes.buffer))).toEqual(vector)
  })

  it('answers responses with a response object and Responses usage', () => {
    const response = simulateResponse(
      '/v1/responses',
      {
        model: 'gpt-4.1-mini',
        instructions: 'Be brief.',
        input: [{ role: 'user', content: [{ type: 'input_text', text: 'Tell me a joke' }] }],
      },
      at,
    ).body as ResponseObject
    expect(response).toMatchObject({
      object: 'response',
      status: 'completed',
      model: 'gpt-4.1-mini',
      created_at: now / 1000,
      instructions: 'Be brief.',
      error: null,
      incomplete_details: null,
    })
    expect(response.id).toMatch(/^resp_/)
    const message = response.output[0]
    expect(message).toMatchObject({ type: 'message', role: 'assistant', status: 'completed' })
    expect(message?.content[0]?.type).toBe('output_text')
    expect(message?.content[0]?.text).toContain('Tell me a joke')
    const usage = response.usage
    expect(usage.input_tokens_details.cached_tokens).toBe(0)
    expect(usage.output_tokens_details.reasoning_tokens).toBe(0)
    expect(usage.total_tokens).toBe(usage.input_tokens + usage.output_tokens)
  })

  it('marks a response incomplete when cut at max_output_tokens', () => {
    const response = simulateResponse(
      '/v1/responses',
      { model: 'm', input: 'a b c d e f', max_output_tokens: 1 },
      at,
    ).body as ResponseObject
    expect(response.status).toBe('incomplete')
    expect(response.incomplete_details).toEqual({ reason: 'max_output_tokens' })
  })

  it('is deterministic for the same body and key', () => {
    const body = { model: 'm', messages: [{ role: 'user', content: 'same' }] }
    expect(simulateResponse('/v1/chat/completions', body, at)).toEqual(
      simulateResponse('/v1/chat/completions', body, at),
    )
    const other = simulateResponse('/v1/chat/completions', body, { key: 'batch_req_2', now })
      .body as ChatCompletion
    expect(other.id).not.toBe((simulateResponse('/v1/chat/completions', body, at).body as ChatCompletion).id)
  })

  it('answers an unknown endpoint with OpenAI 404 envelope', () => {
    expect(simulateResponse('/v1/images/generations', {}, at)).toEqual({
      status: 404,
      body: {
        error: {
          message: 'Invalid URL (POST /v1/images/generations)',
          type: 'invalid_request_error',
          param: null,
          code: null,
        },
      },
    })
  })

  it('tolerates bodies without model or messages', () => {
    const chat = simulateResponse('/v1/chat/completions', {}, at).body as ChatCompletion
    expect(chat.model).toBe('mock-model')
    expect(chat.choices[0]?.message.content).toBe('Hello from the mock model.')
  })
})

describe('answer bounds', () => {
  it('refuses, like a real endpoint, requests whose answer would be huge: never builds it', () => {
    const prompts = simulateResponse('/v1/completions', {
      model: 'm',
      n: 16,
      prompt: new Array(5_000_000).fill(''),
    })
    expect(prompts.status).toBe(400)
    expect(prompts.body).toMatchObject({ error: { param: 'prompt', type: 'invalid_request_error' } })
    const vectors = simulateResponse('/v1/embeddings', {
      model: 'm',
      input: new Array(6_000).fill('x'),
      dimensions: 4096,
    })
    expect(vectors).toMatchObject({ status: 400, body: { error: { param: 'input' } } })
    const wide = simulateResponse('/v1/embeddings', { model: 'm', input: 'x', dimensions: 4096 })
    expect(wide).toMatchObject({ status: 400, body: { error: { param: 'dimensions' } } })
    const many = simulateResponse('/v1/embeddings', {
      model: 'm',
      input: new Array(2_000).fill('x'),
      dimensions: 3072,
    })
    expect(many).toMatchObject({ status: 400, body: { error: { param: 'input' } } })
    expect(simulateResponse('/v1/chat/completions', { model: 'm', n: 1000, messages: [] }).status).toBe(400)
    expect(
      simulateResponse('/v1/completions', { model: 'm', n: 20, prompt: new Array(200).fill('p') }).status,
    ).toBe(400)
  })

  it('answers the largest requests it allows', () => {
    const vectors = simulateResponse('/v1/embeddings', {
      model: 'm',
      input: new Array(2_048).fill('x'),
      dimensions: 512,
    })
    expect(vectors.status).toBe(200)
    expect((vectors.body as { data: unknown[] }).data).toHaveLength(2_048)
    const choices = simulateResponse('/v1/completions', {
      model: 'm',
      n: 16,
      prompt: new Array(128).fill('p'),
    })
    expect((choices.body as { choices: unknown[] }).choices).toHaveLength(2_048)
  })
})
