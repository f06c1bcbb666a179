import { describe, expect, it } from 'vitest'
import { toAnthropicRequest } from './to-anthropic.ts'
import { TranslationError } from './translate-error.ts'

const model = 'claude-sonnet-4-5'
const user = (content: unknown) => ({ role: 'user', content })

/** The TranslationError a body throws. */
function failure(body: Record<string, unknown>): TranslationError {
  try {
    toAnthropicRequest(body)
  } catch (error) {
    if (error instanceof TranslationError) return error
    throw error
  }
  throw new Error('expected a TranslationError')
}

describe('toAnthropicRequest', () => {
  it('moves system and developer messages to `system` and defaults max_tokens to 4096', () => {
    const request = toAnthropicRequest({
      model,
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'developer', content: [{ type: 'text', text: 'Answer in French.' }] },
        user('Hi'),
      ],
    })
    expect(request).toEqual({
      model,
      max_tokens: 4096,
      system: 'Be brief.\n\nAnswer in French.',
      messages: [{ role: 'user', content: [{ type: 'text', text: 'Hi' }] }],
    })
  })

  it('honours defaultMaxTokens, max_tokens and max_completion_tokens', () => {
    const messages = [user('Hi')]
    expect(toAnthropicRequest({ model, messages }, { defaultMaxTokens: 100 }).max_tokens).toBe(100)
    expect(toAnthropicRequest({ model, messages, max_tokens: 7 }).max_tokens).toBe(7)
    expect(toAnthropicRequest({ model, messages, max_tokens: 7, max_completion_tokens: 9 }).max_tokens).toBe(
      9,
    )
    expect(failure({ model, messages, max_tokens: 0 }).param).toBe('max_tokens')
  })

  it('translates multi-part content with data: and http(s) images', () => {
    const request = toAnthropicRequest({
      model,
      messages: [
        user([
          { type: 'text', text: 'What is this?' },
          { type: 'image_url', image_url: { url: 'data:image/png;base64,iVBORw0KGgo=' } },
          { type: 'image_url', image_url: { url: 'https://example.com/cat.jpg', detail: 'high' } },
        ]),
      ],
    })
    expect(request.messages[0]?.content).toEqual([
      { type: 'text', text: 'What is this?' },
      { type: 'image', source: { type: 'base64', media_type: 'image/png', data: 'iVBORw0KGgo=' } },
      { type: 'image', source: { type: 'url', url: 'https://example.com/cat.jpg' } },
    ])
    const bad = failure({ model, messages: [user([{ type: 'image_url', image_url: { url: 'ftp://x' } }])] })
    expect(bad.param).toBe('messages[0].content[0].image_url.url')
    const audio = failure({ model, messages: [user([{ type: 'input_audio', input_audio: {} }])] })
    expect(audio.param).toBe('messages[0].content[0].type')
  })

  it('turns tool_calls into tool_use and merges consecutive tool messages into one user turn', () => {
    const request = toAnthropicRequest({
      model,
      messages: [
        user('Weather in Paris and Rome?'),
        {
          role: 'assistant',
          content: null,
          tool_calls: [
            { id: 'call_1', type: 'function', function: { name: 'weather', arguments: '{"city":"Paris"}' } },
            { id: 'call_2', type: 'function', function: { name: 'weather', arguments: '{"city":"Rome"}' } },
          ],
        },
        { role: 'tool', tool_call_id: 'call_1', content: 'sunny' },
        { role: 'tool', tool_call_id: 'call_2', content: [{ type: 'text', text: 'rainy' }] },
        user('Thanks'),
      ],
    })
    expect(request.messages).toEqual([
      { role: 'user', content: [{ type: 'text', text: 'Weather in Paris and Rome?' }] },
      {
        role: 'assistant',
        content: [
          { type: 'tool_use', id: 'call_1', name: 'weather', input: { city: 'Paris' } },
          { type: 'tool_use', id: 'call_2', name: 'weather', input: { city: 'Rome' } },
        ],
      },
      {
        role: 'user',
        content: [
          { type: 'tool_result', tool_use_id: 'call_1', content: 'sunny' },
          { type: 'tool_result', tool_use_id: 'call_2', content: [{ type: 'text', text: 'rainy' }] },
          { type: 'text', text: 'Thanks' },
        ],
      },
    ])
    const badArgs = failure({
      model,
      messages: [
        user('x'),
        {
          role: 'assistant',
          tool_calls: [{ id: 'c', type: 'function', function: { name: 'f', arguments: '{' } }],
        },
      ],
    })
    expect(badArgs.param).toBe('messages[1].tool_calls[0].function.arguments')
  })

  it('translates tools and every tool_choice', () => {
    const tools = [
      {
        type: 'function',
        function: {
          name: 'weather',
          description: 'Weather of a city',
          parameters: { type: 'object', properties: { city: { type: 'string' } } },
        },
      },
    ]
    const messages = [user('Hi')]
    const request = toAnthropicRequest({ model, messages, tools, tool_choice: 'auto' })
    expect(request.tools).toEqual([
      {
        name: 'weather',
        description: 'Weather of a city',
        input_schema: { type: 'object', properties: { city: { type: 'string' } } },
      },
    ])
    expect(request.tool_choice).toEqual({ type: 'auto' })
    expect(toAnthropicRequest({ model, messages, tools, tool_choice: 'none' }).tool_choice).toEqual({
      type: 'none',
    })
    expect(toAnthropicRequest({ model, messages, tools, tool_choice: 'required' }).tool_choice).toEqual({
      type: 'any',
    })
    expect(
      toAnthropicRequest({
        model,
        messages,
        tools,
        tool_choice: { type: 'function', function: { name: 'weather' } },
      }).tool_choice,
    ).toEqual({ type: 'tool', name: 'weather' })
    expect(failure({ model, messages, tools, tool_choice: 'sometimes' }).param).toBe('tool_choice')
    expect(failure({ model, messages, tools: [{ type: 'custom', custom: {} }] }).param).toBe('tools[0]')
  })

  it('maps stop, temperature, top_p and user', () => {
    const request = toAnthropicRequest({
      model,
      messages: [user('Hi')],
      stop: 'END',
      temperature: 0.5,
      top_p: 0.9,
      user: 'u1',
    })
    expect(request).toMatchObject({
      stop_sequences: ['END'],
      temperature: 0.5,
      top_p: 0.9,
      metadata: { user_id: 'u1' },
    })
    expect(toAnthropicRequest({ model, messages: [user('Hi')], stop: ['a', 'b'] }).stop_sequences).toEqual([
      'a',
      'b',
    ])
    expect(failure({ model, messages: [user('Hi')], temperature: 1.5 }).param).toBe('temperature')
  })

  it('rejects inexpressible fields, naming them', () => {
    const messages = [user('Hi')]
    expect(failure({ model, messages, n: 2 }).message).toMatch(/`n` must be 1/)
    expect(failure({ model, messages, logprobs: true }).param).toBe('logprobs')
    expect(failure({ model, messages, audio: { voice: 'alloy' } }).param).toBe('audio')
    expect(failure({ model, messages, response_format: { type: 'json_object' } }).param).toBe(
      'response_format',
    )
    expect(
      failure({ model, messages, response_format: { type: 'json_schema', json_schema: {} } }).param,
    ).toBe('response_format')
    expect(failure({ model, messages, frobnicate: 1 }).message).toMatch(/`frobnicate`/)
    expect(failure({ messages }).param).toBe('model')
    expect(failure({ model, messages: [] }).param).toBe('messages')
    expect(failure({ model, messages: [user('a'), { role: 'system', content: 'late' }] }).param).toBe(
      'messages[1].role',
    )
  })

  it('accepts fields left at defaults that Anthropic lacks', () => {
    const request = toAnthropicRequest({
      model,
      messages: [user('Hi')],
      n: 1,
      logprobs: false,
      stream: false,
      seed: 4,
      response_format: { type: 'text' },
    })
    expect(request).toEqual({
      model,
      max_tokens: 4096,
      messages: [{ role: 'user', content: [{ type: 'text', text: 'Hi' }] }],
    })
  })
})
