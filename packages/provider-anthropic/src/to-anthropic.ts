import type {
  AnthropicContentBlock,
  AnthropicMessage,
  AnthropicMessagesRequest,
  AnthropicTool,
} from './anthropic-types.ts'
import { TranslationError } from './translate-error.ts'

/** Options of {@link toAnthropicRequest}. */
export interface TranslateOptions {
  /** `max_tokens` when the chat request sets neither `max_tokens` nor `max_completion_tokens` (default 4096). */
  defaultMaxTokens?: number
}

type Json = Record<string, unknown>

const isObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value)

/** Chat fields Anthropic has no counterpart for, but that change nothing when left at their default. */
const ignoredWhenDefault: Record<string, (value: unknown) => boolean> = {
  n: (value) => value === 1,
  logprobs: (value) => value === false,
  top_logprobs: (value) => value === 0,
  presence_penalty: (value) => value === 0,
  frequency_penalty: (value) => value === 0,
  parallel_tool_calls: (value) => value === true,
  stream: (value) => value === false,
}

/** Chat fields with no effect on the answer's content, dropped. */
const dropped = new Set(['store', 'metadata', 'service_tier', 'stream_options', 'seed', 'reasoning_effort'])

/** Fields translated explicitly. */
const translated = new Set([
  'model',
  'messages',
  'max_tokens',
  'max_completion_tokens',
  'stop',
  'temperature',
  'top_p',
  'tools',
  'tool_choice',
  'response_format',
  'user',
])

/** Why each inexpressible field cannot be sent. */
const unsupported: Record<string, string> = {
  n: 'Anthropic returns one choice per request: `n` must be 1.',
  logprobs: 'Anthropic does not return log probabilities: `logprobs` is not supported.',
  top_logprobs: 'Anthropic does not return log probabilities: `top_logprobs` is not supported.',
  audio: 'Anthropic does not produce audio: `audio` is not supported.',
  modalities: 'Anthropic answers with text only: `modalities` is not supported.',
  presence_penalty: 'Anthropic has no `presence_penalty`.',
  frequency_penalty: 'Anthropic has no `frequency_penalty`.',
  logit_bias: 'Anthropic has no `logit_bias`.',
  parallel_tool_calls:
    'Anthropic cannot be asked for sequential tool calls: `parallel_tool_calls: false` is not supported.',
  stream: 'Batch lines cannot stream: `stream` must be false.',
  functions: 'Use `tools` instead of the deprecated `functions`.',
  function_call: 'Use `tool_choice` instead of the deprecated `function_call`.',
  prediction: 'Anthropic has no predicted outputs: `prediction` is not supported.',
  web_search_options:
    'Anthropic web search is not expressible from a chat request: `web_search_options` is not supported.',
}

/** The text of a `system`/`developer` message (string or text parts). */
function systemText(content: unknown, at: string): string {
  if (typeof content === 'string') return content
  if (!Array.isArray(content))
    throw new TranslationError(
      `${at}.content`,
      `\`${at}.content\` must be a string or an array of text parts.`,
    )
  return content
    .map((part, index) => {
      if (!isObject(part) || part.type !== 'text' || typeof part.text !== 'string')
        throw new TranslationError(
          `${at}.content[${index}]`,
          `A system message takes text parts only (\`${at}.content[${index}]\`).`,
        )
      return part.text
    })
    .join('\n')
}

/** An image block from an `image_url` part: `data:` URLs become base64 sources, http(s) URLs url sources. */
function imageBlock(part: Json, at: string): AnthropicContentBlock {
  const image = part.image_url
  const url = isObject(image) ? image.url : typeof image === 'string' ? image : undefined
  if (typeof url !== 'string')
    throw new TranslationError(`${at}.image_url.url`, `\`${at}.image_url.url\` must be a string.`)
  const data = /^data:([^;,]+);base64,(.*)$/s.exec(url)
  if (data)
    return {
      type: 'image',
      source: { type: 'base64', media_type: data[1] as string, data: data[2] as string },
    }
  if (/^https?:\/\//i.test(url)) return { type: 'image', source: { type: 'url', url } }
  throw new TranslationError(
    `${at}.image_url.url`,
    `\`${at}.image_url.url\` must be an http(s) URL or a base64 data: URL.`,
  )
}

/** The content blocks of a user/assistant/tool message. */
function contentBlocks(content: unknown, at: string, allowImages: boolean): AnthropicContentBlock[] {
  if (content === null || content === undefined) return []
  if (typeof content === 'string') return content === '' ? [] : [{ type: 'text', text: content }]
  if (!Array.isArray(content))
    throw new TranslationError(
      `${at}.content`,
      `\`${at}.content\` must be a string or an array of content parts.`,
    )
  return content.map((part, index): AnthropicContentBlock => {
    const where = `${at}.content[${index}]`
    if (!isObject(part)) throw new TranslationError(where, `\`${where}\` must be an object.`)
    if (part.type === 'text' && typeof part.text === 'string') return { type: 'text', text: part.text }
    if (part.type === 'refusal' && typeof part.refusal === 'string')
      return { type: 'text', text: part.refusal }
    if (part.type === 'image_url' && allowImages) return imageBlock(part, where)
    throw new TranslationError(
      `${where}.type`,
      `Content part type \`${String(part.type)}\` at \`${where}\` cannot be sent to Anthropic.`,
    )
  })
}

/** The `tool_use` blocks of an assistant message's `tool_calls`. */
function toolUseBlocks(toolCalls: unknown, at: string): AnthropicContentBlock[] {
  if (toolCalls === undefined || toolCalls === null) return []
  if (!Array.isArray(toolCalls))
    throw new TranslationError(`${at}.tool_calls`, `\`${at}.tool_calls\` must be an array.`)
  return toolCalls.map((call, index) => {
    const where = `${at}.tool_calls[${index}]`
    const fn = isObject(call) ? call.function : undefined
    if (
      !isObject(call) ||
      call.type !== 'function' ||
      typeof call.id !== 'string' ||
      !isObject(fn) ||
      typeof fn.name !== 'string'
    )
      throw new TranslationError(where, `\`${where}\` must be a function call with an id and a name.`)
    let input: unknown = {}
    if (typeof fn.arguments === 'string' && fn.arguments.trim() !== '') {
      try {
        input = JSON.parse(fn.arguments)
      } catch {
        throw new TranslationError(
          `${where}.function.arguments`,
          `\`${where}.function.arguments\` is not valid JSON.`,
        )
      }
    }
    return { type: 'tool_use', id: call.id, name: fn.name, input }
  })
}

/** Appends blocks to the conversation, merging into the last turn when it has the same role. */
function push(
  messages: AnthropicMessage[],
  role: 'user' | 'assistant',
  blocks: AnthropicContentBlock[],
  mergeable: boolean,
): void {
  const last = messages[messages.length - 1]
  if (mergeable && last && last.role === role) last.content.push(...blocks)
  else messages.push({ role, content: blocks })
}

/** The `system` text and the turns of the chat `messages`. */
function translateMessages(value: unknown): { system: string | undefined; messages: AnthropicMessage[] } {
  if (!Array.isArray(value) || value.length === 0)
    throw new TranslationError('messages', '`messages` must be a non-empty array.')
  const system: string[] = []
  const messages: AnthropicMessage[] = []
  let lastWasTool = false
  value.forEach((message, index) => {
    const at = `messages[${index}]`
    if (!isObject(message)) throw new TranslationError(at, `\`${at}\` must be an object.`)
    const role = message.role
    if (role === 'system' || role === 'developer') {
      if (messages.length > 0)
        throw new TranslationError(
          `${at}.role`,
          `Anthropic takes system instructions only before the conversation: \`${at}\` is a ${role} message after a user or assistant turn.`,
        )
      system.push(systemText(message.content, at))
      lastWasTool = false
      return
    }
    if (role === 'user') {
      push(messages, 'user', contentBlocks(message.content, at, true), lastWasTool)
      lastWasTool = false
      return
    }
    if (role === 'assistant') {
      const blocks = [...contentBlocks(message.content, at, false), ...toolUseBlocks(message.tool_calls, at)]
      if (blocks.length === 0)
        throw new TranslationError(`${at}.content`, `\`${at}\` has neither content nor tool_calls.`)
      push(messages, 'assistant', blocks, false)
      lastWasTool = false
      return
    }
    if (role === 'tool') {
      if (typeof message.tool_call_id !== 'string')
        throw new TranslationError(`${at}.tool_call_id`, `\`${at}.tool_call_id\` must be a string.`)
      const content =
        typeof message.content === 'string' ? message.content : contentBlocks(message.content, at, false)
      push(
        messages,
        'user',
        [{ type: 'tool_result', tool_use_id: message.tool_call_id, content }],
        lastWasTool,
      )
      lastWasTool = true
      return
    }
    throw new TranslationError(
      `${at}.role`,
      `Message role \`${String(role)}\` at \`${at}\` cannot be sent to Anthropic.`,
    )
  })
  if (messages.length === 0)
    throw new TranslationError(
      'messages',
      '`messages` has no user or assistant message (Anthropic needs at least one).',
    )
  return { system: system.length > 0 ? system.join('\n\n') : undefined, messages }
}

/** Anthropic tools from chat `tools`. */
function translateTools(value: unknown): AnthropicTool[] {
  if (!Array.isArray(value)) throw new TranslationError('tools', '`tools` must be an array.')
  return value.map((tool, index) => {
    const at = `tools[${index}]`
    const fn = isObject(tool) ? tool.function : undefined
    if (!isObject(tool) || tool.type !== 'function' || !isObject(fn) || typeof fn.name !== 'string')
      throw new TranslationError(
        at,
        `\`${at}\` must be a function tool with a name (Anthropic supports function tools only).`,
      )
    const result: AnthropicTool = {
      name: fn.name,
      input_schema: isObject(fn.parameters) ? fn.parameters : { type: 'object', properties: {} },
    }
    if (typeof fn.description === 'string') result.description = fn.description
    return result
  })
}

/** Anthropic `tool_choice` from the chat one. */
function translateToolChoice(value: unknown): AnthropicMessagesRequest['tool_choice'] {
  if (value === 'auto') return { type: 'auto' }
  if (value === 'none') return { type: 'none' }
  if (value === 'required') return { type: 'any' }
  if (
    isObject(value) &&
    value.type === 'function' &&
    isObject(value.function) &&
    typeof value.function.name === 'string'
  )
    return { type: 'tool', name: value.function.name }
  throw new TranslationError(
    'tool_choice',
    '`tool_choice` must be `auto`, `none`, `required` or `{ type: "function", function: { name } }`.',
  )
}

/** `max_tokens` of the request. */
function maxTokens(body: Json, fallback: number): number {
  for (const field of ['max_completion_tokens', 'max_tokens']) {
    const value = body[field]
    if (value === undefined || value === null) continue
    if (typeof value !== 'number' || !Number.isInteger(value) || value < 1)
      throw new TranslationError(field, `\`${field}\` must be a positive integer.`)
    return value
  }
  return fallback
}

/** `stop_sequences` from `stop`. */
function stopSequences(value: unknown): string[] | undefined {
  if (value === undefined || value === null) return undefined
  const list = typeof value === 'string' ? [value] : value
  if (!Array.isArray(list) || !list.every((item) => typeof item === 'string'))
    throw new TranslationError('stop', '`stop` must be a string or an array of strings.')
  return list.length > 0 ? list : undefined
}

/** A number field within bounds, or undefined when absent. */
function bounded(body: Json, field: string, max: number, why: string): number | undefined {
  const value = body[field]
  if (value === undefined || value === null) return undefined
  if (typeof value !== 'number' || value < 0 || value > max) throw new TranslationError(field, why)
  return value
}

/**
 * Translates an OpenAI `/v1/chat/completions` request body into an Anthropic `/v1/messages` body.
 * Throws a {@link TranslationError} naming the field when the request asks for something Anthropic
 * cannot do (`n > 1`, `logprobs`, `audio`, structured `response_format`, `temperature > 1`, …).
 *
 * @example
 * toAnthropicRequest({ model: 'claude-sonnet-4-5', messages: [{ role: 'user', content: 'Hi' }] })
 * // { model: 'claude-sonnet-4-5', max_tokens: 4096, messages: [{ role: 'user', content: [{ type: 'text', text: 'Hi' }] }] }
 */
export function toAnthropicRequest(body: Json, options: TranslateOptions = {}): AnthropicMessagesRequest {
  if (typeof body.model !== 'string' || body.model === '')
    throw new TranslationError('model', '`model` must be a non-empty string.')
  for (const [field, value] of Object.entries(body)) {
    if (value === undefined || value === null || translated.has(field) || dropped.has(field)) continue
    const harmless = ignoredWhenDefault[field]
    if (harmless?.(value)) continue
    const why = unsupported[field]
    throw new TranslationError(field, why ?? `\`${field}\` has no Anthropic counterpart and cannot be sent.`)
  }
  const format = body.response_format
  if (format !== undefined && format !== null && !(isObject(format) && format.type === 'text'))
    throw new TranslationError(
      'response_format',
      'Anthropic has no JSON mode: `response_format` other than `text` is not supported (ask for JSON in the prompt, or use a tool).',
    )
  const { system, messages } = translateMessages(body.messages)
  const request: AnthropicMessagesRequest = {
    model: body.model,
    max_tokens: maxTokens(body, options.defaultMaxTokens ?? 4096),
    messages,
  }
  if (system !== undefined) request.system = system
  const stop = stopSequences(body.stop)
  if (stop) request.stop_sequences = stop
  const temperature = bounded(body, 'temperature', 1, 'Anthropic accepts `temperature` between 0 and 1.')
  if (temperature !== undefined) request.temperature = temperature
  const topP = bounded(body, 'top_p', 1, '`top_p` must be between 0 and 1.')
  if (topP !== undefined) request.top_p = topP
  if (body.tools !== undefined && body.tools !== null) {
    const tools = translateTools(body.tools)
    if (tools.length > 0) request.tools = tools
  }
  if (body.tool_choice !== undefined && body.tool_choice !== null) {
    const choice = translateToolChoice(body.tool_choice)
    if (choice && choice.type !== 'none' && !request.tools)
      throw new TranslationError('tool_choice', '`tool_choice` needs `tools`.')
    if (request.tools) request.tool_choice = choice
  }
  if (typeof body.user === 'string' && body.user !== '') request.metadata = { user_id: body.user }
  return request
}
