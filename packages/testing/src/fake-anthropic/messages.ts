type Json = Record<string, unknown>

const isObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value)

/** The text of the last user turn of a Messages request. */
function lastUserText(messages: unknown[]): string {
  for (let i = messages.length - 1; i >= 0; i--) {
    const message = messages[i]
    if (!isObject(message) || message.role !== 'user') continue
    if (typeof message.content === 'string') return message.content
    if (Array.isArray(message.content))
      return message.content
        .map((block) =>
          isObject(block) && block.type === 'text' && typeof block.text === 'string' ? block.text : '',
        )
        .join(' ')
        .trim()
  }
  return ''
}

/** Why a Messages request is invalid, or null when it is fine (the checks Anthropic makes first). */
export function invalidRequest(body: unknown): string | null {
  if (!isObject(body)) return 'The request body must be a JSON object.'
  if (typeof body.model !== 'string' || body.model === '') return 'model: Field required'
  if (typeof body.max_tokens !== 'number' || body.max_tokens < 1) return 'max_tokens: Field required'
  if (!Array.isArray(body.messages) || body.messages.length === 0)
    return 'messages: at least one message is required'
  const first = body.messages[0]
  if (isObject(first) && first.role !== 'user' && first.role !== 'assistant')
    return 'messages.0.role: Input should be user or assistant'
  if (typeof body.temperature === 'number' && body.temperature > 1)
    return 'temperature: Input should be less than or equal to 1'
  return null
}

/**
 * A deterministic answer to a valid Messages request: a `tool_use` of the named (or first) tool when
 * tools are given and `tool_choice` is not `none`, else the text `Echo: <last user text>`; usage counts
 * a token per 4 bytes of input and per word of output.
 */
export function fakeMessage(body: Json, sequence: number, bytes: number): Json {
  const tools = Array.isArray(body.tools) ? body.tools.filter(isObject) : []
  const choice = isObject(body.tool_choice) ? body.tool_choice : undefined
  const usage = {
    input_tokens: Math.ceil(bytes / 4),
    output_tokens: 0,
    cache_creation_input_tokens: 0,
    cache_read_input_tokens: 0,
  }
  const base = {
    id: `msg_fake_${String(sequence).padStart(6, '0')}`,
    type: 'message',
    role: 'assistant',
    model: body.model,
    stop_sequence: null,
  }
  if (tools.length > 0 && choice?.type !== 'none') {
    const named = choice?.type === 'tool' ? tools.find((tool) => tool.name === choice.name) : undefined
    const tool = named ?? tools[0]
    usage.output_tokens = 12
    return {
      ...base,
      content: [
        {
          type: 'tool_use',
          id: `toolu_fake_${sequence}`,
          name: tool?.name,
          input: { query: lastUserText(body.messages as unknown[]) },
        },
      ],
      stop_reason: 'tool_use',
      usage,
    }
  }
  const text = `Echo: ${lastUserText(body.messages as unknown[])}`
  const words = text.split(/\s+/)
  const limit = body.max_tokens as number
  usage.output_tokens = Math.min(words.length, limit)
  return {
    ...base,
    content: [{ type: 'text', text: words.slice(0, limit).join(' ') }],
    stop_reason: words.length > limit ? 'max_tokens' : 'end_turn',
    usage,
  }
}
