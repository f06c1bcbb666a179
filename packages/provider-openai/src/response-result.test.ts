import { describe, expect, it } from 'vitest'
import { endpointUrl } from './endpoint-url.ts'
import { parseBody } from './read-body.ts'
import { redact } from './redact.ts'
import { toResponseResult } from './response-result.ts'

describe('toResponseResult', () => {
  it('keeps 2xx lean: status, parsed body and its text, request id', () => {
    expect(
      toResponseResult(200, new Headers({ 'x-request-id': 'req_1', 'retry-after': '3' }), '{"ok":true}'),
    ).toEqual({
      type: 'response',
      status: 200,
      body: { ok: true },
      bodyText: '{"ok":true}',
      requestId: 'req_1',
    })
  })

  it('falls back to the exhausted rate-limit reset for a 429 without retry-after', () => {
    const headers = new Headers({
      'x-ratelimit-remaining-requests': '0',
      'x-ratelimit-reset-requests': '2s81ms',
    })
    expect(toResponseResult(429, headers, '{}')).toMatchObject({ status: 429, retryAfterMs: 2081 })
  })

  it('marks insufficient_quota final and obeys x-should-retry', () => {
    const quota = JSON.stringify({ error: { code: 'insufficient_quota', type: 'insufficient_quota' } })
    expect(toResponseResult(429, new Headers({ 'x-should-retry': 'true' }), quota)).toMatchObject({
      retryable: false,
    })
    expect(toResponseResult(409, new Headers({ 'x-should-retry': 'false' }), '{}')).toMatchObject({
      retryable: false,
    })
    expect(toResponseResult(400, new Headers({ 'x-should-retry': 'true' }), '{}')).toMatchObject({
      retryable: true,
    })
    expect(toResponseResult(500, new Headers(), '{}')).not.toHaveProperty('retryable')
  })
})

describe('parseBody', () => {
  it('parses JSON objects and arrays, keeps everything else as text', () => {
    expect(parseBody('{"a":1}')).toEqual({ a: 1 })
    expect(parseBody(' [1]')).toEqual([1])
    expect(parseBody('{broken')).toBe('{broken')
    expect(parseBody('<html>502</html>')).toBe('<html>502</html>')
    expect(parseBody('')).toBe('')
  })
})

describe('endpointUrl', () => {
  it('drops the endpoint /v1 under a base that has it', () => {
    expect(endpointUrl('https://api.openai.com/v1', '/v1/chat/completions')).toBe(
      'https://api.openai.com/v1/chat/completions',
    )
    expect(endpointUrl('https://api.groq.com/openai/v1/', '/v1/embeddings')).toBe(
      'https://api.groq.com/openai/v1/embeddings',
    )
  })
})

describe('redact', () => {
  it('removes every occurrence of each secret', () => {
    expect(redact('a sk-123 b sk-123', ['sk-123', null, 'ab'])).toBe('a [redacted] b [redacted]')
  })
})
