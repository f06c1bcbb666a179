/** A content block of an Anthropic message (the subset batchkit writes and reads). */
export type AnthropicContentBlock =
  | { type: 'text'; text: string }
  | {
      type: 'image'
      source: { type: 'base64'; media_type: string; data: string } | { type: 'url'; url: string }
    }
  | { type: 'tool_use'; id: string; name: string; input: unknown }
  | {
      type: 'tool_result'
      tool_use_id: string
      content: string | AnthropicContentBlock[]
    }
  | { type: string; [field: string]: unknown }

/** One turn of an Anthropic Messages request. */
export interface AnthropicMessage {
  role: 'user' | 'assistant'
  content: AnthropicContentBlock[]
}

/** An Anthropic tool definition. */
export interface AnthropicTool {
  name: string
  description?: string
  input_schema: Record<string, unknown>
}

/** The body of `POST /v1/messages`. */
export interface AnthropicMessagesRequest {
  model: string
  max_tokens: number
  messages: AnthropicMessage[]
  system?: string
  stop_sequences?: string[]
  temperature?: number
  top_p?: number
  tools?: AnthropicTool[]
  tool_choice?: { type: 'auto' | 'any' | 'none' } | { type: 'tool'; name: string }
  metadata?: { user_id: string }
}

/** The body of a successful `POST /v1/messages` answer. */
export interface AnthropicMessageResponse {
  id: string
  type: 'message'
  role: 'assistant'
  model: string
  content: AnthropicContentBlock[]
  stop_reason: string | null
  stop_sequence?: string | null
  usage: {
    input_tokens: number
    output_tokens: number
    cache_creation_input_tokens?: number | null
    cache_read_input_tokens?: number | null
  }
}
