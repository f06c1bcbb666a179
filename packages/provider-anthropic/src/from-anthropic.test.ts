import { describe, expect, it } from 'vitest'
import type { AnthropicMessageResponse } from './anthropic-types.ts'
import { finishReason, toChatCompletion, toOpenAIError } from './from-anthropic.ts'

const message: AnthropicMessageResponse = {
  id: 'msg_1',
  type: 'message',
  role: 'assistant',
  model: 'claude-sonnet-4-5',
  content: [
    { type: 'text', text: 'Let me check. ' },
    { type: 'text', text: 'One moment.' },
    { type: 'tool_use', id: 'toolu_1', name: 'weather', input: { city: 'Paris' } },
  ],
  stop_reason: 'tool_use',
  usage: {
    input_tokens: 10,
    output_tokens: 5,
    cache_read_input_tokens: 100,
    cache_creation_input_tokens: 20,
  },
}

describe('toChatCompletion', () => {
  it('builds a chat.completion with content, tool_calls, finish_reason and usage', () => {
    expect(toChatCompletion(message, 1_700_000_000)).toEqual({
      id: 'msg_1',
      object: 'chat.completion',
      created: 1_700_000_000,
      model: 'claude-sonnet-4-5',
      choices: [
        {
          index: 0,
          message: {
            role: 'assistant',
            content: 'Let me check. One moment.',
            refusal: null,
            tool_calls: [
              {
                id: 'toolu_1',
                type: 'function',
                function: { name: 'weather', arguments: '{"city":"Paris"}' },
              },
            ],
          },
          logprobs: null,
          finish_reason: 'tool_calls',
        },
      ],
      usage: {
        prompt_tokens: 130,
        completion_tokens: 5,
        total_tokens: 135,
        prompt_tokens_details: { cached_tokens: 100 },
      },
    })
  })

  it('maps every stop_reason', () => {
    expect(finishReason('end_turn')).toBe('stop')
    expect(finishReason('stop_sequence')).toBe('stop')
    expect(finishReason('max_tokens')).toBe('length')
    expect(finishReason('tool_use')).toBe('tool_calls')
    expect(finishReason('refusal')).toBe('content_filter')
  })

  it('gives null content when there is no text', () => {
    const only = toChatCompletion({ ...message, content: [], stop_reason: 'end_turn' }, 1)
    expect(only.choices[0]?.message).toEqual({ role: 'assistant', content: null, refusal: null })
  })
})

describe('toOpenAIError', () => {
  it.each([
    ['invalid_request_error', 400],
    ['authentication_error', 401],
    ['permission_error', 403],
    ['not_found_error', 404],
    ['request_too_large', 413],
    ['rate_limit_error', 429],
    ['api_error', 500],
    ['overloaded_error', 529],
  ])('%s → %i', (type, status) => {
    const mapped = toOpenAIError(418, { type: 'error', error: { type, message: `${type} happened` } })
    expect(mapped.status).toBe(status)
    expect(mapped.body.error).toMatchObject({ message: `${type} happened`, code: type, param: null })
  })

  it('keeps the status of an answer that is not an Anthropic error', () => {
    expect(toOpenAIError(502, 'Bad gateway')).toEqual({
      status: 502,
      body: { error: { message: 'Bad gateway', type: 'server_error', param: null, code: null } },
    })
  })
})
