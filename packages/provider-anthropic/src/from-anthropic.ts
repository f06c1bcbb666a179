import type { AnthropicMessageResponse } from './anthropic-types.ts'

/** An OpenAI tool call as it appears in `choices[0].message.tool_calls`. */
export interface ChatToolCall {
  id: string
  type: 'function'
  function: { name: string; arguments: string }
}

/** The `chat.completion` object batchkit writes to the output file. */
export interface ChatCompletion {
  id: string
  object: 'chat.completion'
  created: number
  model: string
  choices: {
    index: 0
    message: { role: 'assistant'; content: string | null; refusal: null; tool_calls?: ChatToolCall[] }
    logprobs: null
    finish_reason: 'stop' | 'length' | 'tool_calls' | 'content_filter'
  }[]
  usage: {
    prompt_tokens: number
    completion_tokens: number
    total_tokens: number
    prompt_tokens_details: { cached_tokens: number }
  }
}

/** OpenAI `finish_reason` of an Anthropic `stop_reason`. */
export function finishReason(
  stopReason: string | null | undefined,
): ChatCompletion['choices'][0]['finish_reason'] {
  if (stopReason === 'max_tokens' || stopReason === 'model_context_window_exceeded') return 'length'
  if (stopReason === 'tool_use') return 'tool_calls'
  if (stopReason === 'refusal') return 'content_filter'
  return 'stop'
}

/**
 * Translates an Anthropic message into an OpenAI `chat.completion`: text blocks joined as `content`,
 * `tool_use` blocks as `tool_calls`, `stop_reason` as `finish_reason`, and usage with every input
 * token (cache reads and writes included) in `prompt_tokens` and cache reads as `cached_tokens`.
 *
 * @example
 * toChatCompletion(message, 1_760_000_000) // { id: 'msg_…', object: 'chat.completion', choices: [ … ], usage: { … } }
 */
export function toChatCompletion(message: AnthropicMessageResponse, created: number): ChatCompletion {
  const text: string[] = []
  const toolCalls: ChatToolCall[] = []
  for (const block of message.content ?? []) {
    if (block.type === 'text' && typeof block.text === 'string') text.push(block.text)
    else if (block.type === 'tool_use' && typeof block.id === 'string' && typeof block.name === 'string')
      toolCalls.push({
        id: block.id,
        type: 'function',
        function: { name: block.name, arguments: JSON.stringify(block.input ?? {}) },
      })
  }
  const usage = message.usage ?? { input_tokens: 0, output_tokens: 0 }
  const cacheRead = usage.cache_read_input_tokens ?? 0
  const prompt = (usage.input_tokens ?? 0) + cacheRead + (usage.cache_creation_input_tokens ?? 0)
  const completion = usage.output_tokens ?? 0
  const chatMessage: ChatCompletion['choices'][0]['message'] = {
    role: 'assistant',
    content: text.length > 0 ? text.join('') : null,
    refusal: null,
  }
  if (toolCalls.length > 0) chatMessage.tool_calls = toolCalls
  return {
    id: message.id,
    object: 'chat.completion',
    created,
    model: message.model,
    choices: [
      { index: 0, message: chatMessage, logprobs: null, finish_reason: finishReason(message.stop_reason) },
    ],
    usage: {
      prompt_tokens: prompt,
      completion_tokens: completion,
      total_tokens: prompt + completion,
      prompt_tokens_details: { cached_tokens: cacheRead },
    },
  }
}

/** HTTP status of each Anthropic error `type`. */
export const anthropicErrorStatus: Readonly<Record<string, number>> = {
  invalid_request_error: 400,
  authentication_error: 401,
  billing_error: 402,
  permission_error: 403,
  not_found_error: 404,
  request_too_large: 413,
  rate_limit_error: 429,
  api_error: 500,
  timeout_error: 504,
  overloaded_error: 529,
}

/** An OpenAI-shaped error body. */
export interface OpenAIErrorBody {
  error: { message: string; type: string; param: string | null; code: string | null }
}

/**
 * Maps an Anthropic error answer (`{ type: 'error', error: { type, message } }`) to an HTTP status
 * (the error type's, else the answer's) and an OpenAI-shaped error body (`code` is the Anthropic
 * error type).
 *
 * @example
 * toOpenAIError(529, { type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } })
 * // { status: 529, body: { error: { message: 'Overloaded', type: 'overloaded_error', param: null, code: 'overloaded_error' } } }
 */
export function toOpenAIError(status: number, body: unknown): { status: number; body: OpenAIErrorBody } {
  const error =
    typeof body === 'object' &&
    body !== null &&
    'error' in body &&
    typeof body.error === 'object' &&
    body.error !== null
      ? (body.error as Record<string, unknown>)
      : undefined
  const type = typeof error?.type === 'string' ? error.type : undefined
  const message =
    typeof error?.message === 'string'
      ? error.message
      : typeof body === 'string' && body !== ''
        ? body.slice(0, 1000)
        : `Anthropic answered HTTP ${status}.`
  const mapped = type !== undefined ? anthropicErrorStatus[type] : undefined
  const openaiType =
    type === 'rate_limit_error'
      ? 'rate_limit_exceeded'
      : (type ?? (status >= 500 ? 'server_error' : 'invalid_request_error'))
  return {
    status: mapped ?? status,
    body: { error: { message, type: openaiType, param: null, code: type ?? null } },
  }
}
